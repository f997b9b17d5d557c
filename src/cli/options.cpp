#include "commands.hpp"

namespace pgshape::cli {

void add_global_options(CLI::App& command, GlobalOptions& global) {
  command.add_option("--dsn", global.dsn,
                     "libpq connection string or URI (default: $DATABASE_URL, else an embedded "
                     "throwaway server)");
  command.add_option("--seed", global.seed, "seed (default: the profile's)");
  command.add_option("--jobs", global.jobs, "connections working at once")
      ->check(CLI::Range(1, 64));
  command.add_option("--schema", global.schema, "target schema (default: the profile's)");
  command.add_flag("--json", global.json, "machine-readable output on stdout");
  command.add_flag("--keep", global.keep,
                   "leave the embedded server running at exit and print how to connect");
  command.add_flag_function(
      "-q,--quiet", [&global](int64_t) { global.verbosity = 0; }, "only errors");
  command.add_flag_function(
      "-v,--verbose", [&global](int64_t) { global.verbosity = 2; }, "more detail");
}

}  // namespace pgshape::cli
