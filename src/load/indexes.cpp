// Keys and indexes after the data — far cheaper than maintaining them row by
// row — built side by side on separate connections:
//   1. every CREATE [UNIQUE] INDEX at once (Share locks do not conflict),
//   2. primary and unique keys adopt their indexes (instant),
//   3. foreign keys added NOT VALID (instant), then validated side by side
//      (VALIDATE takes only Share Update Exclusive locks).
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
  std::vector<std::string> creates, adopts, adds, validates;
  for (const auto& table : profile.tables) {
    for (auto& build : sql::index_builds(schema, table)) {
      creates.push_back(std::move(build.create_index));
      if (!build.adopt.empty()) adopts.push_back(std::move(build.adopt));
    }
    for (auto& build : sql::foreign_key_builds(schema, table)) {
      adds.push_back(std::move(build.add));
      validates.push_back(std::move(build.validate));
    }
  }
  // Largest statements are not known up front; the pool hands them out in order.
  run_statements(dsn, jobs, creates, "SET application_name = 'pgshape index'");
  pqxx::work tx(control);
  for (const auto& statement : adopts) tx.exec0(statement);
  for (const auto& statement : adds) tx.exec0(statement);
  tx.commit();
  run_statements(dsn, jobs, validates, "SET application_name = 'pgshape foreign key'");
}

void analyze_tables(const std::string& dsn, const Profile& profile, const std::string& schema,
                    int jobs) {
  std::vector<std::string> statements;
  for (const auto& table : profile.tables)
    statements.push_back("ANALYZE " + sql::qualified(schema, table.name));
  run_statements(dsn, jobs, statements, "SET application_name = 'pgshape analyze'");
}

}  // namespace pgshape::load
