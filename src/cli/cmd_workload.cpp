// pgshape workload PROFILE --out DIR: a pgbench load test whose parameters
// carry the data's skew, with a staged campaign-burst driver (DIR/run.sh).
#include <fmt/format.h>

#include "commands.hpp"
#include "pgshape/error.hpp"
#include "pgshape/stats.hpp"
#include "pgshape/workload.hpp"

namespace pgshape::cli {
namespace {

struct WorkloadCommand {
  std::string profile;
  std::string scale;
  std::string out;
  int64_t count = 10000;
};

}  // namespace

void add_workload_command(CLI::App& app, GlobalOptions& global, Action& action) {
  auto* command = app.add_subcommand(
      "workload", "pgbench scripts and a campaign-burst driver whose parameters follow the data");
  auto options = std::make_shared<WorkloadCommand>();
  command->add_option("PROFILE", options->profile, "the profile (YAML)")->required();
  command->add_option("--out", options->out, "the folder to write")->required();
  command->add_option("--scale", options->scale,
                      "the scale point the database was loaded at (default: the profile's)");
  command->add_option("--count", options->count, "parameter rows per script")
      ->check(CLI::Range(1, 10000000));
  command->add_option("--seed", global.seed, "the seed the data was loaded with");
  command->add_option("--schema", global.schema,
                      "the loaded data's schema (default: the profile's)");
  command->add_flag_function(
      "-q,--quiet", [&global](int64_t) { global.verbosity = 0; }, "only errors");
  command->callback([&global, &action, options] {
    action = [&global, options] {
      const Profile profile = load_profile_with_overlay(options->profile);
      WorkloadOptions workload{
          .scale = options->scale.empty() ? profile.default_scale : options->scale,
          .schema = global.schema,
          .seed = global.seed.value_or(profile.seed),
          .count = options->count,
          .out = options->out};
      const auto scripts = write_workload(profile, workload);
      if (global.verbosity == 0) return 0;
      std::string list;
      for (const auto& s : scripts)
        list += fmt::format("  scripts/{}.sql  {} {}{}\n", s.file_stem,
                            s.transaction ? "transaction" : "query", s.name,
                            s.transaction ? fmt::format(" (weight {})", s.weight) : "");
      fmt::print(
          "{} scripts for profile {}, scale {}, seed {} in {}:\n{}\n"
          "Run the campaign burst (10 -> 800 tx/s, 10 min at 400, 5 min at 100), scaled down:\n"
          "  {}/run.sh --dsn URI --factor 0.05\n",
          scripts.size(), profile.name, workload.scale, workload.seed, options->out, list,
          options->out);
      return 0;
    };
  });
}

}  // namespace pgshape::cli
