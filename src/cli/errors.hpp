// How main() renders what it catches: text on stderr (the message, then HINT:),
// or with --json one JSON document —
//   {"error": {"code", "message", "hint", "exit"[, "sqlstate"]},
//    "diagnostics": [{"code", "file", "line", "column", "message", "hint"}]}
// — on stdout (on stderr when stdout carries data: generate --out -). Every
// message passes through redact_dsn. Each function returns the exit code.
#pragma once

#include <cstdio>
#include <exception>

#include "pgshape/error.hpp"

namespace pgshape::cli {

struct ErrorOutput {
  bool json = false;
  std::FILE* stream = stderr;  // where JSON goes; text always goes to stderr
};

int render_error(const ProfileError& e, const ErrorOutput& out);
int render_error(const Error& e, const ErrorOutput& out);
int render_internal_error(const InternalError& e, const ErrorOutput& out);
int render_unexpected_error(const std::exception& e, const ErrorOutput& out);

}  // namespace pgshape::cli
