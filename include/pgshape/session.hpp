// How pgshape opens its own sessions on a user's server, so that what its SQL
// means and how values print never depend on the shell it runs in (PGOPTIONS,
// PGCLIENTENCODING, PGDATESTYLE, PGTZ) or on ALTER ROLE/DATABASE ... SET: the
// settings below are pinned in every session, after the user's own options, the
// way pg_dump pins its session.
#pragma once

#include <cstdint>
#include <memory>
#include <string>
#include <string_view>
#include <utility>
#include <vector>

#include <pqxx/connection>

namespace pgshape {

// A source is production, only ever read: its sessions are READ ONLY and keep the
// user's lock_timeout (it protects production). A target receives pgshape's data.
enum class SessionKind : uint8_t { kTarget, kSource };

// The settings pinned for `kind`, as (name, value), in the order they are applied.
std::vector<std::pair<std::string, std::string>> pinned_settings(SessionKind kind);

// `dsn` (a conninfo or URI; "" for libpq's defaults) as a key=value conninfo that
// also sets client_encoding=UTF8 and whose `options` are the user's (the DSN's
// own, else PGOPTIONS) followed by `-c` for each pinned setting: a later -c wins.
// For a service (uses_service) no options: the service's own stay.
// A DSN libpq cannot parse is returned as it is, so connecting reports why.
std::string session_conninfo(std::string_view dsn, SessionKind kind);

// Whether `dsn` (or, when it gives no options, PGSERVICE) names a connection
// service. Its file may hold options of its own, which libpq reads only while the
// conninfo has none: session_conninfo then adds no options and post_connect_sql
// sets every pinned setting instead.
bool uses_service(std::string_view dsn);

// What a new session runs once connected to a server of `server_version`
// (PQserverVersion), "" for nothing: with `pin_all` (uses_service) every pinned
// setting, else DateStyle and TimeZone set back when PGDATESTYLE or PGTZ is set
// (libpq sends those after the options, so they would win); and transaction_timeout
// 0 on PostgreSQL 17+ (an option naming it would stop an older server's connection).
std::string post_connect_sql(int server_version, SessionKind kind, bool pin_all);

// A libpqxx connection to session_conninfo(dsn, kind) that has run post_connect_sql.
// Throws what pqxx::connection throws.
std::unique_ptr<pqxx::connection> open_session(const std::string& dsn, SessionKind kind);

}  // namespace pgshape
