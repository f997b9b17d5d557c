// What the stats types do on their own (a snapshot's lookups), and what every
// catalog reader of src/stats shares: the read-only session, the database's
// identity, catalog arrays read as JSON.
#include <pqxx/pqxx>

#include <nlohmann/json.hpp>

#include "pgshape/stats.hpp"
#include "stats/internal.hpp"

namespace pgshape {

const ColumnStats* TableStats::find_column(std::string_view column) const {
  for (const auto& c : columns)
    if (c.name == column) return &c;
  return nullptr;
}

const TableStats* StatsSnapshot::find_table(std::string_view table) const {
  for (const auto& t : tables)
    if (t.name == table) return &t;
  return nullptr;
}

namespace stats {

// The array of a catalog column as JSON text: pqxx 6 has no array reader we trust
// for every element type, PostgreSQL's own array_to_json does.
std::vector<std::string> json_strings(const std::string& text) {
  std::vector<std::string> out;
  for (const auto& v : nlohmann::json::parse(text))
    out.push_back(v.is_string() ? v.get<std::string>() : v.dump());
  return out;
}

std::vector<double> json_numbers(const std::string& text) {
  std::vector<double> out;
  for (const auto& v : nlohmann::json::parse(text)) out.push_back(v.get<double>());
  return out;
}

void make_session_read_only(pqxx::connection& conn, const char* application) {
  pqxx::nontransaction tx(conn);
  // Every later transaction of this session is READ ONLY; the server enforces it.
  tx.exec0("SET default_transaction_read_only = on");
  tx.exec0("SET TimeZone = 'UTC'");
  tx.exec0("SET DateStyle = 'ISO, YMD'");
  tx.exec0("SET extra_float_digits = 3");
  tx.exec_params("SELECT pg_catalog.set_config('application_name', $1, false)",
                 std::string(application));
}

DatabaseIdentity database_identity(pqxx::connection& conn) {
  DatabaseIdentity id;
  {
    pqxx::nontransaction tx(conn);
    id.database = tx.exec1("SELECT pg_catalog.current_database()::text")[0].as<std::string>();
    id.fallback = tx.exec1(
                        "SELECT coalesce(pg_catalog.host(pg_catalog.inet_server_addr()), 'socket') "
                        "|| ':' || pg_catalog.current_setting('port')")[0]
                      .as<std::string>();
  }
  try {
    pqxx::nontransaction tx(conn);
    id.system_identifier =
        tx.exec1("SELECT system_identifier::text FROM pg_catalog.pg_control_system()")[0]
            .as<std::string>();
  } catch (const pqxx::sql_error&) {
    // Not granted to this role: the guard falls back to address, port and database.
  }
  return id;
}

}  // namespace stats

}  // namespace pgshape
