// `stats` from a source of one PostgreSQL major and `load` into a target of
// another. scripts/test.sh names the other version's binaries in
// PGSHAPE_TEST_OTHER_PG_BIN: 18 while the test server is Debian's 15, and 15
// while the matrix runs the test server on 17 and 18, so both directions run.
#include <gtest/gtest.h>

#include <cstdlib>
#include <filesystem>
#include <map>
#include <pqxx/pqxx>
#include <regex>
#include <string>
#include <utility>
#include <vector>

#include "production_db.hpp"
#include "test_server.hpp"

namespace pgshape {
namespace {

namespace fs = std::filesystem;
using testing::run_pgshape;
using testing::ScratchDatabase;

int server_major(pqxx::connection& conn) {
  pqxx::nontransaction tx(conn);
  return tx.exec1("SELECT current_setting('server_version_num')::int / 10000")[0].as<int>();
}

std::map<std::string, long> row_counts(pqxx::connection& conn, const std::string& schema) {
  pqxx::nontransaction tx(conn);
  std::map<std::string, long> out;
  for (const auto& row : tx.exec_params(
           "SELECT c.relname::text FROM pg_class c JOIN pg_namespace n ON n.oid = c.relnamespace "
           "WHERE n.nspname = $1 AND c.relkind = 'r'",
           schema)) {
    const std::string table = row[0].as<std::string>();
    out[table] =
        tx.exec1("SELECT count(*) FROM " + tx.quote_name(schema) + "." + tx.quote_name(table))[0]
            .as<long>();
  }
  return out;
}

TEST(CrossVersion, StatsFromOneMajorLoadIntoAnother) {
  const char* other = std::getenv("PGSHAPE_TEST_OTHER_PG_BIN");
  if (other == nullptr || other[0] == '\0') {
    GTEST_SKIP() << "PGSHAPE_TEST_OTHER_PG_BIN is not set (scripts/test.sh sets it)";
  }
  ScratchDatabase production("xver_prod");
  testing::build_production(production.dsn(), 0.5);  // its hot ids need 0.5 or more
  pqxx::connection source(production.dsn());
  const int source_major = server_major(source);
  const std::map<std::string, long> source_rows = row_counts(source, "public");

  const fs::path dir = fs::temp_directory_path() / testing::unique_name("xver");
  fs::create_directories(dir);
  const std::string profile = (dir / "mirror.yaml").string();
  auto imported = run_pgshape({"stats", "--source", production.dsn(), "-o", profile});
  ASSERT_EQ(imported.exit_code, 0) << imported.err;

  auto loaded =
      run_pgshape({"load", profile, "--schema", "mirror", "--pg-bin", other, "--keep", "-q"},
                  {{"DATABASE_URL", ""}, {"PGSHAPE_PG_BIN", ""}});
  fs::remove_all(dir);
  ASSERT_EQ(loaded.exit_code, 0) << loaded.err;
  const testing::KeptServers kept(loaded.err);
  ASSERT_EQ(kept.size(), 1u) << loaded.err;

  pqxx::connection target(loaded.out.substr(0, loaded.out.find('\n')));
  const int target_major = server_major(target);
  EXPECT_NE(target_major, source_major) << "both sides ran PostgreSQL " << source_major;
  const std::map<std::string, long> mirror_rows = row_counts(target, "mirror");
  ASSERT_EQ(mirror_rows.size(), source_rows.size());
  for (const auto& [table, rows] : source_rows) {
    ASSERT_TRUE(mirror_rows.count(table)) << table << " is missing on the mirror";
    // The mirror loads the source's pg_class.reltuples, which ANALYZE estimates.
    EXPECT_NEAR(static_cast<double>(mirror_rows.at(table)), static_cast<double>(rows),
                0.05 * static_cast<double>(rows) + 1)
        << table << ": PostgreSQL " << source_major << " -> " << target_major;
  }
}

// Every table's rows as one md5, in a fixed order: equal digests, equal data.
std::map<std::string, std::string> table_digests(pqxx::connection& conn,
                                                 const std::string& schema) {
  const std::map<std::string, long> tables = row_counts(conn, schema);
  pqxx::nontransaction tx(conn);
  std::map<std::string, std::string> out;
  for (const auto& [table, rows] : tables) {
    const std::string name = tx.quote_name(schema) + "." + tx.quote_name(table);
    out[table] = tx.exec1(
                       "SELECT md5(coalesce(string_agg(r, E'\\n' ORDER BY r), '')) FROM "
                       "(SELECT t::text AS r FROM " +
                       name + " t) s")[0]
                     .as<std::string>();
  }
  return out;
}

// The embedded server's default binaries (the matrix's, else Debian's newest).
std::string home_bindir() {
  if (const char* dir = std::getenv("PGSHAPE_PG_BIN"); dir != nullptr && dir[0] != '\0') return dir;
  std::string best;
  std::error_code ec;
  for (const auto& entry : fs::directory_iterator("/usr/lib/postgresql", ec))
    if (fs::exists(entry.path() / "bin" / "initdb")) best = (entry.path() / "bin").string();
  return best;
}

TEST(CrossVersion, ExplainOnTwoServersComparesThemOnIdenticalRows) {
  const char* other = std::getenv("PGSHAPE_TEST_OTHER_PG_BIN");
  if (other == nullptr || other[0] == '\0') {
    GTEST_SKIP() << "PGSHAPE_TEST_OTHER_PG_BIN is not set (scripts/test.sh sets it)";
  }
  const fs::path out = fs::temp_directory_path() / testing::unique_name("xver_explain");
  auto r = run_pgshape({"explain", "profiles/shop.yaml", "--scales", "test", "--runs", "1",
                        "--pg-bin", home_bindir(), "--pg-bin", other, "-o", out.string(), "--keep"},
                       {{"DATABASE_URL", ""}, {"PGSHAPE_PG_BIN", ""}});
  const testing::KeptServers kept(r.err);
  const std::regex hint(R"re(psql "([^"]+)"\s+\(stop it with:)re");
  std::vector<std::string> dsns;
  for (std::sregex_iterator it(r.err.begin(), r.err.end(), hint), end; it != end; ++it)
    dsns.push_back((*it)[1].str());
  ASSERT_EQ(r.exit_code, 0) << r.err;
  ASSERT_EQ(dsns.size(), 2u) << "both servers kept:\n" << r.err;

  pqxx::connection a(dsns[0]), b(dsns[1]);
  const int major_a = server_major(a), major_b = server_major(b);
  EXPECT_NE(major_a, major_b);
  const auto digests_a = table_digests(a, "shop");
  ASSERT_FALSE(digests_a.empty());
  EXPECT_EQ(digests_a, table_digests(b, "shop"))
      << "PostgreSQL " << major_a << " and " << major_b << " got different rows";

  const std::string label_a = "pg" + std::to_string(major_a),
                    label_b = "pg" + std::to_string(major_b);
  EXPECT_TRUE(fs::exists(out / label_a / "summary.json"));
  EXPECT_TRUE(fs::exists(out / label_b / "summary.json"));
  const fs::path across = out / ("compare-" + label_a + "-" + label_b) / "report.html";
  EXPECT_TRUE(fs::exists(across)) << r.out;
  EXPECT_NE(r.out.find(across.string()), std::string::npos) << r.out;
  EXPECT_NE(testing::read_all(across).find("servers: "), std::string::npos);
  fs::remove_all(out);
}

}  // namespace
}  // namespace pgshape
