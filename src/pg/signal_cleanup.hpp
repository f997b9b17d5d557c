// Tearing embedded servers down when pgshape is interrupted (SIGINT, SIGTERM,
// SIGHUP). pg_ctl starts the postmaster in its own session, so a Ctrl-C in the
// terminal never reaches it: without this, an interrupted run would leave a
// server running and its directory behind.
//
// The handler only makes async-signal-safe calls, on data prepared when the
// server was registered: kill(postmaster, SIGQUIT) (= "pg_ctl stop -m immediate"),
// poll with kill(pid, 0) / access(postmaster.pid) + nanosleep until it is gone
// (an exited postmaster may linger as a zombie until init reaps it), then fork + execv
// /bin/rm -rf on the private directory and waitpid, then restore the default
// action and re-raise the signal so the exit status says what happened.
#pragma once

#include <sys/types.h>

#include <string>

namespace pgshape::pg {

// Registers a running server for cleanup on a fatal signal and installs the
// handlers (once; a signal whose disposition is not SIG_DFL is left alone).
// `pid_file` is the cluster's postmaster.pid (removed by the postmaster as it
// exits); `remove_dir` is deleted after the server is gone; empty = keep it.
// Returns a slot for unregister_server(), or -1 when the registry is full.
int register_server(pid_t postmaster_pid, const std::string& pid_file,
                    const std::string& remove_dir);

// Forgets a slot (the server was stopped normally). No-op for -1.
void unregister_server(int slot);

}  // namespace pgshape::pg
