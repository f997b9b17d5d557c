// pgshape's entry point: parse the command line, run one subcommand, and turn
// every error into a message and its documented exit code. This is the only
// place that catches.
#include <pqxx/except>

#include <fmt/format.h>
#include <cstdio>
#include <exception>

#include "commands.hpp"
#include "pgshape/error.hpp"
#include "pgshape/pg.hpp"

namespace {

void print_hint(const std::string& hint) {
  if (!hint.empty()) fmt::print(stderr, "HINT: {}\n", hint);
}

}  // namespace

int main(int argc, char** argv) {
  using namespace pgshape;
  CLI::App app{"pgshape: production-shaped synthetic data for PostgreSQL, and its query plans"};
  app.require_subcommand(1);
  app.set_version_flag("--version", std::string("pgshape ") + PGSHAPE_VERSION);
  cli::GlobalOptions global;
  cli::Action action;
  cli::add_validate_command(app, global, action);
  cli::add_load_command(app, global, action);
  cli::add_explain_command(app, global, action);
  cli::add_compare_command(app, global, action);
  cli::add_generate_command(app, global, action);
  cli::add_stats_command(app, global, action);
  cli::add_refresh_command(app, global, action);
  cli::add_reference_command(app, global, action);
  cli::add_params_command(app, global, action);
  cli::add_workload_command(app, global, action);

  try {
    app.parse(argc, argv);
  } catch (const CLI::ParseError& e) {
    int code = app.exit(e);
    return code == 0 ? 0 : static_cast<int>(ExitCode::kUsage);
  }

  try {
    return action ? action() : 0;
  } catch (const ProfileError& e) {
    for (const auto& d : e.diagnostics()) {
      fmt::print(stderr, "{}\n", d.to_string());
      print_hint(d.hint);
    }
    return static_cast<int>(e.exit_code());
  } catch (const Error& e) {
    fmt::print(stderr, "pgshape: {}\n", redact_dsn(e.what()));
    print_hint(e.hint());
    return static_cast<int>(e.exit_code());
  } catch (const pqxx::broken_connection& e) {
    fmt::print(stderr, "pgshape: lost the connection to the server: {}\n", redact_dsn(e.what()));
    return static_cast<int>(ExitCode::kRuntime);
  } catch (const pqxx::sql_error& e) {
    fmt::print(stderr, "pgshape: database error [{}]: {}\n", e.sqlstate(), redact_dsn(e.what()));
    return static_cast<int>(ExitCode::kRuntime);
  } catch (const InternalError& e) {
    fmt::print(stderr, "pgshape: internal error (a bug in pgshape, please report it): {}\n",
               e.what());
    return static_cast<int>(ExitCode::kRuntime);
  } catch (const std::exception& e) {
    fmt::print(stderr, "pgshape: {}\n", redact_dsn(e.what()));
    return static_cast<int>(ExitCode::kRuntime);
  }
}
