// The subcommands of the `pgshape` executable. Each lives in its own cmd_*.cpp,
// registers its options on the CLI11 app and, when chosen, sets `run` to the
// action main() executes inside its single catch site.
#pragma once

#include <CLI/CLI.hpp>
#include <cstdint>
#include <functional>
#include <optional>
#include <string>

namespace pgshape::cli {

// Options every subcommand understands.
struct GlobalOptions {
  std::string dsn;               // --dsn; empty: DATABASE_URL, else the embedded server
  std::optional<uint64_t> seed;  // --seed
  int jobs = 2;                  // --jobs
  std::string schema;            // --schema; empty: the profile's
  bool json = false;             // --json: machine-readable output on stdout
  int verbosity = 1;             // 0 with -q, 2 with -v
  bool keep = false;             // --keep: leave the embedded server running
};

using Action = std::function<int()>;  // returns the exit code

void add_validate_command(CLI::App& app, GlobalOptions& global, Action& action);
void add_load_command(CLI::App& app, GlobalOptions& global, Action& action);
void add_explain_command(CLI::App& app, GlobalOptions& global, Action& action);
void add_compare_command(CLI::App& app, GlobalOptions& global, Action& action);
void add_generate_command(CLI::App& app, GlobalOptions& global, Action& action);

// --shard K/N as given on the command line: index is 0-based (K - 1).
struct ShardSpec {
  int index = 0;
  int count = 1;
};
// Parses "K/N" (1 <= K <= N); throws UsageError otherwise. In cmd_generate.cpp.
ShardSpec parse_shard(const std::string& text);
void add_stats_command(CLI::App& app, GlobalOptions& global, Action& action);
void add_refresh_command(CLI::App& app, GlobalOptions& global, Action& action);
void add_reference_command(CLI::App& app, GlobalOptions& global, Action& action);
void add_params_command(CLI::App& app, GlobalOptions& global, Action& action);
void add_workload_command(CLI::App& app, GlobalOptions& global, Action& action);

// Adds the common options to a subcommand.
void add_global_options(CLI::App& command, GlobalOptions& global);

}  // namespace pgshape::cli
