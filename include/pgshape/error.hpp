// The error taxonomy of pgshape, tied to process exit codes.
//
// Every failure a user can cause or meet is one of these types; `main` is the
// single place that catches them, prints them and turns them into an exit code:
//   ProfileError / UsageError -> 2, DatabaseError -> 1, GateTripped -> 3,
//   InternalError -> 1 (a bug in pgshape: the message says so).
#pragma once

#include <stdexcept>
#include <string>
#include <vector>

namespace pgshape {

enum class ExitCode : int { kOk = 0, kRuntime = 1, kUsage = 2, kGate = 3 };

// One problem found in a profile, positioned in its source file (1-based).
struct Diagnostic {
  std::string file;
  int line = 0;    // 0 when the position is unknown (e.g. the file is missing)
  int column = 0;  // 0 when only the line is known
  std::string message;
  std::string hint;  // "did you mean 'zipf'?" or how to fix it; may be empty

  // "file:line:column: message" — the form editors and CI logs link to.
  std::string to_string() const;
};

// A profile that cannot be used. Carries every diagnostic found, not only the first.
class ProfileError : public std::runtime_error {
 public:
  explicit ProfileError(std::vector<Diagnostic> diagnostics);
  const std::vector<Diagnostic>& diagnostics() const { return diagnostics_; }

 private:
  std::vector<Diagnostic> diagnostics_;
};

// Bad command-line usage (unknown scale point, conflicting options, bad file).
class UsageError : public std::runtime_error {
 public:
  explicit UsageError(const std::string& message, std::string hint = {})
      : std::runtime_error(message), hint_(std::move(hint)) {}
  const std::string& hint() const { return hint_; }

 private:
  std::string hint_;
};

// A failure talking to PostgreSQL: connection lost, SQL error, server gone.
// Keeps the SQLSTATE (when the server sent one) and what pgshape was doing.
class DatabaseError : public std::runtime_error {
 public:
  DatabaseError(const std::string& message, std::string sqlstate = {}, std::string hint = {})
      : std::runtime_error(message), sqlstate_(std::move(sqlstate)), hint_(std::move(hint)) {}
  const std::string& sqlstate() const { return sqlstate_; }
  const std::string& hint() const { return hint_; }

 private:
  std::string sqlstate_;
  std::string hint_;
};

// `compare --fail-on` found a change of a kind the user asked to gate on.
class GateTripped : public std::runtime_error {
 public:
  using std::runtime_error::runtime_error;
};

// A broken invariant inside pgshape itself: always a bug worth reporting.
class InternalError : public std::logic_error {
 public:
  using std::logic_error::logic_error;
};

}  // namespace pgshape
