// Embedded servers orphaned by a pgshape that was killed (SIGKILL, OOM killer,
// a lost terminal): signal handlers cannot run then, so the postmaster and its
// private directory stay behind. Every embedded server's directory carries an
// owner marker; the next embedded start removes the directories whose marker
// proves they are this OS user's and whose owner is gone. Internal to src/pg.
#pragma once

#include <string>
#include <vector>

namespace pgshape::pg {

// The file in an embedded server's private directory that names its owner.
inline constexpr const char* kOwnerMarker = "pgshape-owner";

// Writes the marker for the calling process into `root_dir` (atomically: a
// half-written marker proves nothing and is never acted on). A `keep` server
// is the user's once pgshape exits, so its marker says it must never be swept.
void write_owner_marker(const std::string& root_dir, bool keep);

// Stops and removes every stale embedded server directly under `base`: a
// `pgshape-*` directory (not a symlink) whose marker is a regular file owned
// by this effective user, written by a process that no longer runs (pid and
// start time, this boot), not marked keep. Its postmaster is stopped only if
// postmaster.pid names that directory's data and the process runs from it.
// Everything else is left alone. Returns the directories removed.
std::vector<std::string> sweep_stale_servers(const std::string& base);

}  // namespace pgshape::pg
