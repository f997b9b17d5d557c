// Internal to the profile parser: typed access to YAML nodes that records a
// positioned diagnostic instead of throwing, so one pass reports every problem.
#pragma once

#include <yaml-cpp/yaml.h>

#include <optional>
#include <set>
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
  // Records a diagnostic with its code (a profile.* code of kErrorCodes).
  void error(ErrorId code, SourcePos at, std::string message, std::string hint = {});
  void error(ErrorId code, const YAML::Node& node, std::string message, std::string hint = {}) {
    error(code, pos(node), std::move(message), std::move(hint));
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
  // False when it reported.
  bool identifier(const YAML::Node& node, const std::string& name, std::string_view what);

  // How many diagnostics so far: a parser compares counts to learn whether a part
  // of the profile had problems of its own.
  size_t count() const { return diagnostics_.size(); }
  // Marks a column (or, with column "", a table) whose own entry had problems:
  // the whole-profile checks skip it rather than report what follows from them.
  void poison(std::string_view table, std::string_view column = {});
  bool poisoned(std::string_view table, std::string_view column = {}) const;

  std::vector<Diagnostic>& diagnostics() { return diagnostics_; }
  const std::string& file() const { return file_; }

 private:
  std::string file_;
  std::vector<Diagnostic> diagnostics_;
  std::set<std::pair<std::string, std::string>> poisoned_;
};

// Cross-checks after parsing: foreign keys, cycles, names, limits, domains,
// what every distribution can reach against its column's type, queries.
void check_profile(const Profile& profile, Reader& reader);

// The profile's SQL (index predicates, queries, experiments, the ddl: file) against
// what its place allows: one expression, one statement, no transaction control
// (fragments.cpp). Diagnostics have the code profile.bad-sql.
void check_fragments(const Profile& profile, Reader& reader);

// How many characters a pattern makes (an escaped character counts once), and
// how many distinct strings it can make (saturating at 4.6e18).
size_t pattern_length(std::string_view pattern);
double pattern_domain(std::string_view pattern);

// The offset of the first byte that does not continue valid UTF-8, or npos.
size_t invalid_utf8_at(std::string_view text);

// Characters (not bytes) of UTF-8 text: what varchar(n) and character(n) count.
size_t char_count(std::string_view text);

// Whether a number a generator produced (before rounding) can be stored in a
// column of `type`: finite, within real's or double's range, or with numeric(p,s)'s
// p - s whole digits once rounded to s decimals. Integer and temporal types are
// checked against their ranges by the caller.
bool numeric_fits(const ColumnType& type, long double value);

// Whether `literal` is a valid value of `type`; `why` says what is wrong when not.
bool literal_fits(const ColumnType& type, std::string_view literal, std::string& why);
// The value `literal` stands for in `type`, as text: literals that the column
// stores as one value ("1" and "01" in an integer column) give the same text.
std::string canonical_literal(const ColumnType& type, std::string_view literal);

}  // namespace pgshape::profile
