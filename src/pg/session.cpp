// pgshape's sessions: the user's connection options, then pgshape's pinned
// settings. Each pinned value is PostgreSQL's default except where pgshape's own
// readers need more (extra_float_digits 3 prints floats exactly also before
// PostgreSQL 12; TimeZone UTC keeps printed timestamps the same on every server).
#include "pgshape/session.hpp"

#include <libpq-fe.h>

#include <fmt/format.h>
#include <cstdlib>
#include <pqxx/nontransaction>

#include "pg/rerun_cancelled.hpp"

namespace pgshape {
namespace {

constexpr std::string_view kDateStyle = "ISO, YMD";
constexpr std::string_view kTimeZone = "UTC";

// A conninfo value in single quotes: libpq reads backslash escapes there.
std::string quoted_value(std::string_view value) {
  std::string out = "'";
  for (char c : value) {
    if (c == '\'' || c == '\\') out += '\\';
    out += c;
  }
  return out + "'";
}

// One -c switch of the options value: the server splits options at whitespace
// and reads backslash escapes.
std::string option_switch(std::string_view name, std::string_view value) {
  std::string out = "-c " + std::string(name) + "=";
  for (char c : value) {
    if (c == ' ' || c == '\\') out += '\\';
    out += c;
  }
  return out;
}

}  // namespace

std::vector<std::pair<std::string, std::string>> pinned_settings(SessionKind kind) {
  std::vector<std::pair<std::string, std::string>> settings = {
      // pgshape's own statements are bounded (catalog reads, plain EXPLAIN on a
      // source; its own loads and captures on a target) and a cancelled one leaves
      // a command half done, as pg_dump and pg_restore reason.
      {"statement_timeout", "0"},
      {"idle_in_transaction_session_timeout", "0"},
      // libpqxx's BEGIN assumes READ COMMITTED; SERIALIZABLE is also refused on a standby.
      {"default_transaction_isolation", "read committed"},
      {"DateStyle", std::string(kDateStyle)},
      {"IntervalStyle", "postgres"},
      {"TimeZone", std::string(kTimeZone)},
      {"extra_float_digits", "3"},
      {"bytea_output", "hex"},
      // What pg_get_indexdef, pg_get_expr and friends print (stats copies their
      // text into the profile), and what a backslash in SQL text means.
      {"quote_all_identifiers", "off"},
      {"standard_conforming_strings", "on"},
  };
  if (kind == SessionKind::kSource) {
    // Reading statistics must never write: the server enforces it from the start.
    settings.emplace_back("default_transaction_read_only", "on");
  } else {
    // A target is written by design; waits for other sessions' locks are bounded
    // where pgshape waits (--lock-timeout), not by a timeout left in the shell.
    settings.emplace_back("default_transaction_read_only", "off");
    settings.emplace_back("lock_timeout", "0");
  }
  return settings;
}

std::string session_conninfo(std::string_view dsn, SessionKind kind) {
  char* error = nullptr;
  PQconninfoOption* parsed = PQconninfoParse(std::string(dsn).c_str(), &error);
  if (parsed == nullptr) {
    PQfreemem(error);
    return std::string(dsn);
  }
  std::string out;
  std::string options;
  bool has_options = false;
  for (const PQconninfoOption* o = parsed; o->keyword != nullptr; ++o) {
    if (o->val == nullptr) continue;
    const std::string_view keyword = o->keyword;
    if (keyword == "options") {
      options = o->val;
      has_options = true;
    } else if (keyword != "client_encoding") {
      out += std::string(keyword) + "=" + quoted_value(o->val) + " ";
    }
  }
  PQconninfoFree(parsed);
  if (uses_service(dsn)) return out + "client_encoding='UTF8'";
  // libpq reads PGOPTIONS only when the conninfo has no options: ours would hide it.
  if (const char* env = std::getenv("PGOPTIONS"); !has_options && env != nullptr) options = env;
  for (const auto& [name, value] : pinned_settings(kind)) {
    if (!options.empty()) options += ' ';
    options += option_switch(name, value);
  }
  return out + "client_encoding='UTF8' options=" + quoted_value(options);
}

bool uses_service(std::string_view dsn) {
  char* error = nullptr;
  PQconninfoOption* parsed = PQconninfoParse(std::string(dsn).c_str(), &error);
  PQfreemem(error);
  bool named = false;
  bool has_options = false;
  for (const PQconninfoOption* o = parsed; o != nullptr && o->keyword != nullptr; ++o) {
    if (o->val == nullptr) continue;
    named = named || (std::string_view(o->keyword) == "service" && *o->val != '\0');
    has_options = has_options || std::string_view(o->keyword) == "options";
  }
  PQconninfoFree(parsed);
  const char* env = std::getenv("PGSERVICE");
  // The DSN's own options hide the service's anyway.
  return !has_options && (named || (env != nullptr && *env != '\0'));
}

std::string post_connect_sql(int server_version, SessionKind kind, bool pin_all) {
  std::string calls;
  if (pin_all) {
    // One statement: a user's timeout can reach only it (microseconds of work), and
    // none of pgshape's later ones.
    for (const auto& [name, value] : pinned_settings(kind))
      calls += fmt::format("{}pg_catalog.set_config('{}', '{}', false)", calls.empty() ? "" : ", ",
                           name, value);
  } else if (std::getenv("PGDATESTYLE") != nullptr || std::getenv("PGTZ") != nullptr) {
    calls = fmt::format(
        "pg_catalog.set_config('DateStyle', '{}', false), "
        "pg_catalog.set_config('TimeZone', '{}', false)",
        kDateStyle, kTimeZone);
  }
  if (server_version >= 170000)
    calls += std::string(calls.empty() ? "" : ", ") +
             "pg_catalog.set_config('transaction_timeout', '0', false)";
  return calls.empty() ? "" : "SELECT " + calls;
}

std::unique_ptr<pqxx::connection> open_session(const std::string& dsn, SessionKind kind) {
  auto conn = std::make_unique<pqxx::connection>(session_conninfo(dsn, kind));
  if (const std::string sql = post_connect_sql(conn->server_version(), kind, uses_service(dsn));
      !sql.empty()) {
    pg::rerun_while_cancelled<pqxx::sql_error>([&] { pqxx::nontransaction(*conn).exec(sql); });
  }
  return conn;
}

}  // namespace pgshape
