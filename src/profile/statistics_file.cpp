// The statistics: key, the stats snapshot `pgshape stats -o X.yaml` writes beside
// its profile (X.stats.json), which `load --exact-stats` writes onto the mirror.
// Only a regular file of a sane size that parses as a pgshape-stats snapshot is
// kept; its contents are never quoted in a message (as for SQL files). The
// snapshot's meaning is the stats module's (snapshot_from_json); the profile only
// vouches that it is one, so a bad file is a positioned profile error at validate.
#include <fmt/format.h>
#include <filesystem>
#include <fstream>
#include <nlohmann/json.hpp>
#include <sstream>

#include "pgshape/util.hpp"
#include "profile/parser_impl.hpp"

namespace pgshape::profile {
namespace {

namespace fs = std::filesystem;

// A snapshot of thousands of tables with 10,000-entry histograms is a few hundred MB
// at most; past this it is not a snapshot.
constexpr uintmax_t kMaxSnapshotBytes = uintmax_t{512} << 20;

constexpr std::string_view kFormat = "pgshape-stats/1";

}  // namespace

void ProfileParser::read_statistics_file(const YAML::Node& node, const std::string& spec,
                                         Profile& profile) {
  const fs::path path = fs::path(spec).is_absolute() ? fs::path(spec) : fs::path(base_dir_) / spec;
  const std::string hint = fmt::format(
      "the path is relative to the profile's folder ({}); `pgshape stats -o X.yaml` "
      "writes X.stats.json beside X.yaml",
      base_dir_);
  std::error_code ec;
  if (!fs::is_regular_file(path, ec)) {
    r_.error("profile.statistics-file", node,
             fs::exists(path, ec) ? fmt::format("statistics file '{}' is not a regular file", spec)
                                  : fmt::format("statistics file '{}' does not exist", spec),
             hint);
    return;
  }
  if (const uintmax_t size = fs::file_size(path, ec); !ec && size > kMaxSnapshotBytes) {
    r_.error("profile.statistics-file", node,
             fmt::format("statistics file '{}' is larger than {} MB: not a stats snapshot", spec,
                         kMaxSnapshotBytes >> 20),
             hint);
    return;
  }
  std::ifstream in(path, std::ios::binary);
  std::stringstream text;
  if (in) text << in.rdbuf();
  if (!in || in.bad()) {
    r_.error("profile.statistics-file", node, fmt::format("cannot read statistics file '{}'", spec),
             "check its permissions");
    return;
  }
  std::string json_text = text.str();
  bool ok = !json_too_deep(json_text).has_value();
  if (ok) {
    try {
      const auto j = nlohmann::json::parse(json_text);
      ok = j.is_object() && j.value("format", "") == kFormat && j.contains("tables") &&
           j.at("tables").is_array();
    } catch (const nlohmann::json::exception&) {
      ok = false;
    }
  }
  if (!ok) {
    r_.error(
        "profile.statistics-file", node,
        fmt::format("statistics file '{}' is not a pgshape stats snapshot ({})", spec, kFormat),
        "write it again with `pgshape stats --source DSN -o PROFILE.yaml`; its contents are "
        "not shown");
    return;
  }
  profile.statistics_file = path.string();
  profile.statistics_json = std::move(json_text);
}

}  // namespace pgshape::profile
