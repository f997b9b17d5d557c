// Keys and indexes after the data — far cheaper than maintaining them row by
// row — built side by side on separate connections:
//   1. every CREATE [UNIQUE] INDEX at once (Share locks do not conflict),
//   2. primary and unique keys adopt their indexes (instant),
//   3. foreign keys added NOT VALID (instant), then validated side by side
//      (VALIDATE takes only Share Update Exclusive locks).
#include <algorithm>
#include <map>
#include <memory>

#include "load/parallel.hpp"
#include "load/steps.hpp"
#include "pg/raw_connection.hpp"
#include "pgshape/sql.hpp"

namespace pgshape::load {
namespace {

void run_statements(const std::string& dsn, int jobs, const std::vector<std::string>& statements,
                    const std::string& session_setup = {}) {
  run_parallel<std::unique_ptr<RawConnection>>(
      jobs, statements.size(),
      [&] {
        auto connection = std::make_unique<RawConnection>(dsn);
        if (!session_setup.empty()) connection->exec(session_setup);
        return connection;
      },
      [&](size_t i, std::unique_ptr<RawConnection>& connection) {
        connection->exec(statements[i]);
      });
}

}  // namespace

void build_keys_and_indexes(const std::string& dsn, pqxx::connection& control,
                            const Profile& profile, const std::string& schema, int jobs) {
  std::vector<std::pair<std::string, std::string>> creates;    // table, statement
  std::vector<std::pair<std::string, std::string>> validates;  // child table, statement
  std::vector<std::string> adopts, adds;
  for (const auto& table : profile.tables) {
    for (auto& build : sql::index_builds(schema, table)) {
      creates.emplace_back(table.name, std::move(build.create_index));
      if (!build.adopt.empty()) adopts.push_back(std::move(build.adopt));
    }
    for (auto& build : sql::foreign_key_builds(schema, table)) {
      adds.push_back(std::move(build.add));
      validates.emplace_back(table.name, std::move(build.validate));
    }
  }
  // Longest first, so the pool does not end with one long build running alone
  // while the other connection idles: a build's cost grows with its table's
  // size, which the catalog knows exactly after COPY.
  std::map<std::string, int64_t> table_bytes;
  {
    pqxx::nontransaction tx(control);
    for (const auto& row : tx.exec_params(
             "SELECT c.relname, pg_catalog.pg_relation_size(c.oid) FROM pg_catalog.pg_class c "
             "JOIN pg_catalog.pg_namespace n ON n.oid = c.relnamespace "
             "WHERE n.nspname = $1 AND c.relkind = 'r'",
             schema))
      table_bytes[row[0].as<std::string>()] = row[1].as<int64_t>();
  }
  std::stable_sort(creates.begin(), creates.end(), [&](const auto& a, const auto& b) {
    return table_bytes[a.first] > table_bytes[b.first];
  });
  std::vector<std::string> create_statements;
  for (auto& [table, statement] : creates) create_statements.push_back(std::move(statement));
  run_statements(dsn, jobs, create_statements, "SET application_name = 'pgshape index'");
  pqxx::work tx(control);
  for (const auto& statement : adopts) tx.exec0(statement);
  for (const auto& statement : adds) tx.exec0(statement);
  tx.commit();
  // A validation scans its child table: again the longest first.
  std::stable_sort(validates.begin(), validates.end(), [&](const auto& a, const auto& b) {
    return table_bytes[a.first] > table_bytes[b.first];
  });
  std::vector<std::string> validate_statements;
  for (auto& [table, statement] : validates) validate_statements.push_back(std::move(statement));
  run_statements(dsn, jobs, validate_statements, "SET application_name = 'pgshape foreign key'");
}

void analyze_tables(const std::string& dsn, const Profile& profile, const std::string& schema,
                    int jobs) {
  std::vector<std::string> statements;
  for (const auto& table : profile.tables)
    statements.push_back("ANALYZE " + sql::qualified(schema, table.name));
  run_statements(dsn, jobs, statements, "SET application_name = 'pgshape analyze'");
}

}  // namespace pgshape::load
