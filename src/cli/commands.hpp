// The pgshape executable's commands. Each cmd_<name>.cpp turns the parsed flags
// (args.hpp) into its app command struct (pgshape/app.hpp), calls the app, and
// renders the outcome as text or JSON; it returns the exit code. Errors are
// thrown to main(), the one place that catches and renders them.
#pragma once

#include <cstdint>
#include <optional>
#include <string>

#include "args.hpp"

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

// --shard K/N as given on the command line: index is 0-based (K - 1).
struct ShardSpec {
  int index = 0;
  int count = 1;
};
// Parses "K/N" (1 <= K <= N); throws UsageError otherwise.
ShardSpec parse_shard(const std::string& text);

// True when stdout is a terminal and NO_COLOR is not set.
bool color_stdout();

// Columns terminal output may use: $COLUMNS when it is a positive number, else the
// width of the terminal on stdout, else 100.
size_t terminal_width();

}  // namespace pgshape::cli
