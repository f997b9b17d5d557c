// pgshape params PROFILE --query NAME: parameter values for a load test, drawn
// with the data's skew (CSV for k6/JMeter/pgbench-style tools, or JSON).
#include <fmt/format.h>
#include <nlohmann/json.hpp>

#include "commands.hpp"
#include "pgshape/error.hpp"
#include "pgshape/params.hpp"
#include "pgshape/stats.hpp"

namespace pgshape::cli {
namespace {

struct ParamsCommand {
  std::string profile;
  std::string query;
  std::string scale;
  int64_t count = 1000;
};

std::string csv_field(const std::string& value) {
  if (value.find_first_of(",\"\n\r") == std::string::npos) return value;
  std::string out = "\"";
  for (char c : value) out += c == '"' ? std::string("\"\"") : std::string(1, c);
  return out + "\"";
}

}  // namespace

void add_params_command(CLI::App& app, GlobalOptions& global, Action& action) {
  auto* command =
      app.add_subcommand("params", "parameter values for a load test, drawn with the data's skew");
  auto options = std::make_shared<ParamsCommand>();
  command->add_option("PROFILE", options->profile, "the profile (YAML)")->required();
  command->add_option("--query", options->query, "the query whose $n to draw")->required();
  command->add_option("--scale", options->scale, "scale point (default: the profile's first)");
  command->add_option("--count", options->count, "rows to draw")->check(CLI::Range(1, 100000000));
  command->add_option("--seed", global.seed, "seed (default: the profile's)");
  command->add_flag("--json", global.json, "a JSON array of objects instead of CSV");
  command->callback([&global, &action, options] {
    action = [&global, options] {
      const Profile profile = load_profile_with_overlay(options->profile);
      const Query* query = nullptr;
      for (const auto& q : profile.queries)
        if (q.name == options->query) query = &q;
      if (!query) {
        std::string names;
        for (const auto& q : profile.queries) names += (names.empty() ? "" : ", ") + q.name;
        throw UsageError(fmt::format("profile has no query '{}'", options->query),
                         names.empty() ? "it declares no queries" : "its queries: " + names);
      }
      const std::string scale_name =
          options->scale.empty() ? profile.default_scale : options->scale;
      const Scale* scale = profile.find_scale(scale_name);
      if (!scale) throw UsageError(fmt::format("unknown scale point '{}'", scale_name));
      const ParamFile file =
          draw_params(profile, *scale, global.seed.value_or(profile.seed), *query, options->count);
      if (global.json) {
        nlohmann::json rows = nlohmann::json::array();
        for (const auto& row : file.rows) {
          nlohmann::json object;
          for (size_t i = 0; i < row.size(); ++i) object[file.names[i]] = row[i];
          rows.push_back(std::move(object));
        }
        fmt::print("{}\n", rows.dump());
        return 0;
      }
      std::string out;
      for (size_t i = 0; i < file.names.size(); ++i)
        out += (i ? "," : "") + csv_field(file.names[i]);
      out += '\n';
      for (const auto& row : file.rows) {
        for (size_t i = 0; i < row.size(); ++i) out += (i ? "," : "") + csv_field(row[i]);
        out += '\n';
      }
      fmt::print("{}", out);
      return 0;
    };
  });
}

}  // namespace pgshape::cli
