// The pgshape executable's commands. Each cmd_<name>.cpp turns the parsed flags
// (args.hpp) into its app command struct (pgshape/app.hpp), calls the app, and
// renders the outcome as text or JSON; it returns the exit code. Errors are
// thrown to main(), the one place that catches and renders them.
#pragma once

#include <cstdint>
#include <optional>
#include <string>

#include <nlohmann/json.hpp>

#include "args.hpp"
#include "pgshape/app.hpp"

namespace pgshape::cli {

int run_validate_command(const Args& args);
int run_load_command(const Args& args);
int run_explain_command(const Args& args);
int run_compare_command(const Args& args);
int run_generate_command(const Args& args);
int run_stats_command(const Args& args);
int run_refresh_command(const Args& args);
int run_params_command(const Args& args);
int run_workload_command(const Args& args);
int run_reference_command(const Args& args);
int run_fidelity_command(const Args& args);

// A fidelity report (cmd_fidelity.cpp) for the terminal: the score, then what differs,
// worst first, cut to `width` (with verbosity 2: every measure and query); and as JSON.
// refresh --min-fidelity prints the same.
std::string fidelity_text(const FidelityReport& report, size_t width, int verbosity);
nlohmann::json fidelity_json(const FidelityReport& report);

// --shard K/N as given on the command line: index is 0-based (K - 1).
struct ShardSpec {
  int index = 0;
  int count = 1;
};
// Parses "K/N" (1 <= K <= N); throws UsageError otherwise.
ShardSpec parse_shard(const std::string& text);

// True when stdout is a terminal and NO_COLOR is not set.
bool color_stdout();

// Where a command wrote, for its one "where" line: "into shop on 127.0.0.1:5432/uxdb",
// "into shop on an embedded server, deleted at exit — use --keep to keep it", or
// "into shop on an embedded server, kept running at /tmp/pgshape-x:5432/postgres".
std::string where_phrase(const TargetInfo& target, const std::string& schema);
// The target for --json: embedded, kept, source, host, port, dbname, user, where;
// kept: also dsn and uri.
nlohmann::json target_json(const TargetInfo& target);
// With --keep, on stderr: the kept server as a key=value conninfo and as a
// postgresql:// URI (neither holds a password), how to connect and how to stop it.
void print_kept_server(const TargetInfo& target);
// Columns terminal output may use: $COLUMNS when it is a positive number, else the
// width of the terminal on stdout, else 100.
size_t terminal_width();

}  // namespace pgshape::cli
