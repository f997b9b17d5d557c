// Internal to src/stats: helpers the stats files share. Owned by the stats module.
#pragma once

#include <pqxx/pqxx>

#include <map>
#include <string>

#include "pgshape/stats.hpp"

namespace pgshape::stats {

// Makes every later transaction of `conn` READ ONLY (default_transaction_read_only),
// pins TimeZone to UTC and DateStyle to ISO so values print as the profile reads them.
void make_session_read_only(pqxx::connection& conn, const char* application);

// current_database(), pg_control_system().system_identifier (if readable), address.
DatabaseIdentity database_identity(pqxx::connection& conn);

// True when the catalog type is text-like (text, varchar, char, name, citext).
bool is_text_type(const std::string& type);

// The extended statistics of `schema`'s tables (pg_statistic_ext, pg_stats_ext)
// into `snap.tables` (by_oid: table OID -> index); ext_stats.cpp. Objects on
// expressions are kept without their data (a profile has no expressions to
// build them on): the profile writer names them in a note.
void read_extended_stats(pqxx::transaction_base& tx, const std::string& schema,
                         const std::map<int64_t, size_t>& by_oid, StatsSnapshot& snap);

// The extensions, functions and views of the schema, and what generated
// columns read (objects.cpp): catalog reads only, like the rest.
void read_objects(pqxx::transaction_base& tx, const std::string& schema,
                  const std::map<int64_t, size_t>& by_oid, StatsSnapshot& snap);

}  // namespace pgshape::stats
