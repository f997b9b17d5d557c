// pgshape params PROFILE --query NAME: parameter values for a load test, drawn
// with the data's skew (CSV for k6/JMeter/pgbench-style tools, or JSON).
#include <fmt/format.h>

#include "commands.hpp"
#include "pgshape/error.hpp"
#include "pgshape/stats.hpp"
#include "pgshape/workload.hpp"

namespace pgshape::cli {
namespace {

struct ParamsCommand {
  std::string profile;
  std::string query;
  std::string scale;
  std::string format = "csv";
  int64_t count = 1000;
};

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
  command->add_option("--format", options->format, "csv (default) or json (an array of objects)")
      ->check(CLI::IsMember({"csv", "json"}));
  command->add_flag("--json", global.json, "the same as --format json");
  command->callback([&global, &action, options] {
    action = [&global, options] {
      const Profile profile = load_profile_with_overlay(options->profile);
      const Query* query = nullptr;
      for (const auto& q : profile.queries)
        if (q.name == options->query) query = &q;
      if (!query) {
        std::string names;
        for (const auto& q : profile.queries) names += (names.empty() ? "" : ", ") + q.name;
        throw UsageError("usage.unknown-query",
                         fmt::format("profile has no query '{}'", options->query),
                         names.empty() ? "it declares no queries" : "its queries: " + names);
      }
      const std::string scale_name =
          options->scale.empty() ? profile.default_scale : options->scale;
      const Scale* scale = profile.find_scale(scale_name);
      if (!scale)
        throw UsageError("usage.unknown-scale",
                         fmt::format("unknown scale point '{}'", scale_name));
      const ParamFile file =
          draw_params(profile, *scale, global.seed.value_or(profile.seed), *query, options->count);
      fmt::print("{}", global.json || options->format == "json" ? to_json(file) : to_csv(file));
      return 0;
    };
  });
}

}  // namespace pgshape::cli
