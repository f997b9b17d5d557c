// Which database a DSN names: what refresh's guard compares so that pgshape never
// writes to the database it reads statistics from.
#include <pqxx/pqxx>

#include "pgshape/session.hpp"
#include "pgshape/stats.hpp"
#include "stats/internal.hpp"

namespace pgshape {

DatabaseIdentity identify_database(const std::string& dsn) {
  auto conn = open_session(dsn, SessionKind::kSource);
  stats::make_session_read_only(*conn, "pgshape (database identity)");
  return stats::database_identity(*conn);
}

bool same_database(const DatabaseIdentity& a, const DatabaseIdentity& b) {
  if (a.database != b.database) return false;
  if (!a.system_identifier.empty() && !b.system_identifier.empty())
    return a.system_identifier == b.system_identifier;
  return a.fallback == b.fallback;  // identifier not readable: same address and port
}

}  // namespace pgshape
