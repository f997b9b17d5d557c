// The error module's few functions: how a diagnostic prints, and looking up a
// code read back at run time.
#include "pgshape/error.hpp"

#include <fmt/format.h>

namespace pgshape {

std::string Diagnostic::to_string() const {
  if (line <= 0) return fmt::format("{}: {}", file, message);
  if (column <= 0) return fmt::format("{}:{}: {}", file, line, message);
  return fmt::format("{}:{}:{}: {}", file, line, column, message);
}

ErrorId ErrorId::lookup(std::string_view code) {
  for (const auto& info : kErrorCodes)
    if (info.code == code) return ErrorId(&info);
  throw std::invalid_argument(fmt::format("undeclared error code '{}'", code));
}

namespace {
std::string summarize(const std::vector<Diagnostic>& diagnostics) {
  if (diagnostics.empty()) return "invalid profile";
  std::string text = diagnostics.front().to_string();
  if (diagnostics.size() > 1) text += fmt::format(" (and {} more)", diagnostics.size() - 1);
  return text;
}
}  // namespace

ProfileError::ProfileError(std::vector<Diagnostic> diagnostics)
    : Error("profile.invalid", summarize(diagnostics)), diagnostics_(std::move(diagnostics)) {}

}  // namespace pgshape
