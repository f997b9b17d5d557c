// Internal to the profile parser: typed access to YAML nodes that records a
// positioned diagnostic instead of throwing, so one pass reports every problem.
#pragma once

#include <yaml-cpp/yaml.h>

#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "pgshape/error.hpp"
#include "pgshape/profile.hpp"

namespace pgshape::profile {

class Reader {
 public:
  explicit Reader(std::string file) : file_(std::move(file)) {}

  static SourcePos pos(const YAML::Node& node);
  void error(SourcePos at, std::string message, std::string hint = {});
  void error(const YAML::Node& node, std::string message, std::string hint = {}) {
    error(pos(node), std::move(message), std::move(hint));
  }

  // False (with a diagnostic) unless `node` is a map; reports duplicate keys and
  // keys not in `allowed`, suggesting the closest allowed one.
  bool check_map(const YAML::Node& node, std::string_view what,
                 const std::vector<std::string_view>& allowed);

  std::optional<std::string> string(const YAML::Node& node, std::string_view what);
  std::optional<double> number(const YAML::Node& node, std::string_view what);
  std::optional<int64_t> integer(const YAML::Node& node, std::string_view what);
  std::optional<bool> boolean(const YAML::Node& node, std::string_view what);
  // Reports `name` (a table, column, index or schema name, written at `node`)
  // unless PostgreSQL keeps it as written: not empty, at most 63 bytes (longer
  // ones are silently truncated, so two could collide), no control characters.
  void identifier(const YAML::Node& node, const std::string& name, std::string_view what);

  std::vector<Diagnostic>& diagnostics() { return diagnostics_; }
  const std::string& file() const { return file_; }

 private:
  std::string file_;
  std::vector<Diagnostic> diagnostics_;
};

// Cross-checks after parsing: foreign keys, cycles, domains, types vs distributions.
void check_profile(const Profile& profile, Reader& reader);

// The profile's SQL (index predicates, queries, experiments, the ddl: file) against
// what its place allows: one expression, one statement, no transaction control
// (fragments.cpp). Diagnostics have the code profile.bad-sql.
void check_fragments(const Profile& profile, Reader& reader);

// How many characters a pattern makes (an escaped character counts once), and
// how many distinct strings it can make (saturating at 4.6e18).
size_t pattern_length(std::string_view pattern);
double pattern_domain(std::string_view pattern);

// Whether `literal` is a valid value of `type`; `why` says what is wrong when not.
bool literal_fits(const ColumnType& type, std::string_view literal, std::string& why);

}  // namespace pgshape::profile
