// SQL inside a profile is refused at validate time when it could do more than
// its place allows: a predicate that is not one expression, a query of two
// statements, an experiment or DDL file that would end pgshape's transaction.
#include <gtest/gtest.h>

#include <filesystem>
#include <fstream>
#include <string>
#include <vector>

#include "pgshape/error.hpp"
#include "pgshape/profile.hpp"
#include "test_server.hpp"

namespace pgshape {
namespace {

namespace fs = std::filesystem;

constexpr const char* kHead = R"(name: f
scales: { s: 10 }
tables:
  t:
    rows: 1x
    columns:
      id: { type: bigint, primary_key: true, dist: sequence }
      v: { type: integer, dist: uniform, min: 1, max: 9 }
)";

// The profile.bad-sql diagnostics of `text` (after kHead), or none when it parses.
std::vector<Diagnostic> bad_sql(const std::string& text, const std::string& dir = ".") {
  std::vector<Diagnostic> out;
  try {
    parse_profile(std::string(kHead) + text, "f.yaml", dir);
  } catch (const ProfileError& e) {
    for (const auto& d : e.diagnostics())
      if (d.code == "profile.bad-sql") out.push_back(d);
    if (out.empty()) ADD_FAILURE() << "refused for another reason: " << e.what();
  }
  return out;
}

std::string where_index(const std::string& predicate) {
  return "    indexes:\n      - { columns: [v], where: \"" + predicate + "\" }\n";
}

TEST(Fragments, AnIndexPredicateIsExactlyOneExpression) {
  auto d = bad_sql(where_index("id > 0; DROP TABLE public.victim; --"));
  ASSERT_EQ(d.size(), 1u);
  EXPECT_EQ(d[0].line, 10);
  EXPECT_EQ(d[0].column, 9);
  EXPECT_NE(d[0].message.find("must be one expression, but a second statement starts at line 1:9"),
            std::string::npos)
      << d[0].message;
  for (const char* bad : {"id > 0) OR (true", "(id > 0", "'open", "id > 0 /* unclosed", ";"})
    EXPECT_EQ(bad_sql(where_index(bad)).size(), 1u) << bad;
  // A ';' inside a string, a comment or a quoted name is part of the expression.
  for (const char* good : {"v <> 0", "(v > 1) AND (id < 5)", "v::text <> ';'",
                           "v > 0 -- trailing; comment", "v > 0 /* ; */"})
    EXPECT_TRUE(bad_sql(where_index(good)).empty()) << good;
}

TEST(Fragments, AQueryIsOneStatementWithoutTransactionControl) {
  auto d = bad_sql("queries:\n  - { name: q, sql: \"SELECT 1; COMMIT; DROP TABLE t\" }\n");
  ASSERT_EQ(d.size(), 1u);
  EXPECT_EQ(d[0].line, 10);
  EXPECT_NE(d[0].message.find("query 'q' must be one statement"), std::string::npos)
      << d[0].message;
  EXPECT_EQ(bad_sql("queries:\n  - { name: q, sql: \"COMMIT\" }\n").size(), 1u);
  EXPECT_TRUE(bad_sql("queries:\n  - { name: q, sql: \"SELECT ';' FROM t;\" }\n").empty());
}

TEST(Fragments, ExperimentsMayNotEndTheirTransaction) {
  const std::vector<std::string> refused = {"COMMIT; DROP TABLE public.victim",
                                            "CREATE INDEX ON t (v); END",
                                            "ROLLBACK",
                                            "abort",
                                            "BEGIN",
                                            "START TRANSACTION ISOLATION LEVEL SERIALIZABLE",
                                            "SAVEPOINT a",
                                            "RELEASE a",
                                            "ROLLBACK TO a",
                                            "PREPARE TRANSACTION 'x'",
                                            "COMMIT PREPARED 'x'",
                                            "/* lead */ commit"};
  for (const auto& sql : refused) {
    auto d = bad_sql("experiments:\n  - { name: e, sql: \"" + sql + "\" }\n");
    ASSERT_EQ(d.size(), 1u) << sql;
    EXPECT_EQ(d[0].line, 10) << sql;
    EXPECT_NE(d[0].message.find("would end or open the transaction"), std::string::npos)
        << d[0].message;
  }
  // Transaction words inside bodies and strings are not statements; CALL and DO
  // cannot end a transaction block they run in (PostgreSQL refuses the COMMIT).
  for (const char* sql : {"DO $$ BEGIN COMMIT; END $$", "CALL p()", "SELECT 'COMMIT'",
                          "CREATE INDEX ON t (v); ANALYZE t", "SET enable_seqscan = off"})
    EXPECT_TRUE(
        bad_sql(std::string("experiments:\n  - { name: e, sql: \"") + sql + "\" }\n").empty())
        << sql;
  auto where =
      bad_sql("experiments:\n  - { name: e, sql: \"SELECT 1;\\nSELECT 2;\\n  COMMIT\" }\n");
  ASSERT_EQ(where.size(), 1u);
  EXPECT_NE(where[0].message.find("COMMIT at line 3:3 of its SQL"), std::string::npos)
      << where[0].message;
}

TEST(Fragments, TheDdlFileMayNotEndItsTransaction) {
  const fs::path dir = fs::temp_directory_path() / testing::unique_name("pgshape-fragments");
  fs::create_directories(dir);
  std::ofstream(dir / "schema.sql") << "CREATE TABLE t (id bigint, v integer);\nCOMMIT;\n"
                                       "DROP TABLE public.victim;\n";
  auto d = bad_sql("ddl: schema.sql\n", dir.string());
  fs::remove_all(dir);
  ASSERT_EQ(d.size(), 1u);
  EXPECT_NE(d[0].message.find("the ddl: file: COMMIT at line 2:1"), std::string::npos)
      << d[0].message;
}

}  // namespace
}  // namespace pgshape
