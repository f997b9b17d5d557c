// Rendering errors at the one catch site: text or JSON, always redacted.
#include "errors.hpp"

#include <fmt/format.h>
#include <nlohmann/json.hpp>

#include "pgshape/pg.hpp"

namespace pgshape::cli {
namespace {

void print_hint(const std::string& hint) {
  if (!hint.empty()) fmt::print(stderr, "HINT: {}\n", redact_dsn(hint));
}

nlohmann::ordered_json error_object(std::string_view code, const std::string& message,
                                    const std::string& hint, ExitCode exit) {
  return {{"code", code},
          {"message", redact_dsn(message)},
          {"hint", redact_dsn(hint)},
          {"exit", static_cast<int>(exit)}};
}

int emit(const nlohmann::ordered_json& error, const nlohmann::ordered_json& diagnostics,
         const ErrorOutput& out, ExitCode exit) {
  const nlohmann::ordered_json document = {{"error", error}, {"diagnostics", diagnostics}};
  fmt::print(out.stream, "{}\n", document.dump(2));
  return static_cast<int>(exit);
}

}  // namespace

int render_error(const ProfileError& e, const ErrorOutput& out) {
  if (!out.json) {
    for (const auto& d : e.diagnostics()) {
      fmt::print(stderr, "{}\n", redact_dsn(d.to_string()));
      print_hint(d.hint);
    }
    return static_cast<int>(e.exit_code());
  }
  nlohmann::ordered_json diagnostics = nlohmann::ordered_json::array();
  for (const auto& d : e.diagnostics())
    diagnostics.push_back({{"code", d.code},
                           {"file", d.file},
                           {"line", d.line},
                           {"column", d.column},
                           {"message", redact_dsn(d.message)},
                           {"hint", redact_dsn(d.hint)}});
  return emit(error_object(e.code(), e.what(), e.hint(), e.exit_code()), diagnostics, out,
              e.exit_code());
}

int render_error(const Error& e, const ErrorOutput& out) {
  if (!out.json) {
    fmt::print(stderr, "pgshape: {}\n", redact_dsn(e.what()));
    print_hint(e.hint());
    return static_cast<int>(e.exit_code());
  }
  nlohmann::ordered_json error = error_object(e.code(), e.what(), e.hint(), e.exit_code());
  if (const auto* db = dynamic_cast<const DatabaseError*>(&e); db && !db->sqlstate().empty())
    error["sqlstate"] = db->sqlstate();
  return emit(error, nlohmann::ordered_json::array(), out, e.exit_code());
}

int render_internal_error(const InternalError& e, const ErrorOutput& out) {
  const std::string message =
      fmt::format("internal error (a bug in pgshape, please report it): {}", e.what());
  if (!out.json) {
    fmt::print(stderr, "pgshape: {}\n", redact_dsn(message));
    return static_cast<int>(ExitCode::kRuntime);
  }
  return emit(error_object("internal.bug", message, "", ExitCode::kRuntime),
              nlohmann::ordered_json::array(), out, ExitCode::kRuntime);
}

int render_unexpected_error(const std::exception& e, const ErrorOutput& out) {
  // Whatever the app did not translate: reported as it is, with the bug's code,
  // because every failure a user can meet should have a code of its own.
  if (!out.json) {
    fmt::print(stderr, "pgshape: {}\n", redact_dsn(e.what()));
    return static_cast<int>(ExitCode::kRuntime);
  }
  return emit(error_object("internal.bug", e.what(), "", ExitCode::kRuntime),
              nlohmann::ordered_json::array(), out, ExitCode::kRuntime);
}

}  // namespace pgshape::cli
