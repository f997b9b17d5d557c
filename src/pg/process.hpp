// Running helper programs (initdb, pg_ctl, pg_config, the pgshape binary in
// tests) without a shell: argv arrays, fork + exec, optionally as another OS
// user, output captured to files. Internal to pgshape and its tests.
#pragma once

#include <sys/types.h>

#include <map>
#include <optional>
#include <string>
#include <vector>

namespace pgshape::pg {

// An OS account a child process switches to (setgroups + setgid + setuid).
struct OsUser {
  std::string name;
  uid_t uid = 0;
  gid_t gid = 0;
  std::vector<gid_t> groups;  // supplementary groups, resolved before fork
};

// The account named `name`, or nullopt when it does not exist.
std::optional<OsUser> lookup_os_user(const std::string& name);

struct ProcessSpec {
  std::vector<std::string> argv;  // argv[0]: a path, or a name looked up in PATH
  std::string stdout_path;        // empty: /dev/null; appended to, created 0600 if missing
  std::string stderr_path;        // empty: /dev/null; may equal stdout_path (one shared file)
  std::string cwd;                // empty: inherit
  const OsUser* user = nullptr;   // switch to this user before exec (needs root)
  // Drop every variable whose name starts with "PG" (PGDATA, PGPORT, PGHOST, PGOPTIONS,
  // PGSERVICE, ...) before `env` applies: the embedded server's initdb, pg_ctl and
  // postgres must not be steered by the user's libpq settings, nor tests by a
  // developer's shell.
  bool without_pg_variables = false;
  // Variables to add or override in the child's environment; "" unsets one.
  std::map<std::string, std::string> env;
};

// Runs the program and waits for it. Returns its exit status (0-255), 128 + the
// signal number when it was killed, or 127 when it could not be executed.
// Throws std::system_error when fork or opening an output file fails.
int run_process(const ProcessSpec& spec);

// Runs the program (as the current user) and returns its stdout, or nullopt
// when it could not run or exited non-zero. stderr is discarded.
std::optional<std::string> capture_stdout(const std::vector<std::string>& argv);

// The absolute path of `name` found in $PATH (executable regular file), or "".
std::string find_in_path(const std::string& name);

// The last `max_lines` lines of a text file (at most ~4 KB), "" if unreadable.
std::string tail_of_file(const std::string& path, int max_lines = 20);

}  // namespace pgshape::pg
