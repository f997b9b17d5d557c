// A query becomes a pgbench command that sends the server the same SQL with
// the parameters in place: every colon pgbench would take for a variable is
// neutralised without changing a value, and what pgbench cannot carry is refused.
#include <gtest/gtest.h>

#include "pgshape/error.hpp"
#include "pgshape/workload.hpp"

namespace pgshape {
namespace {

std::string rewrite(std::string_view sql, std::vector<std::string> replacements = {":p1"}) {
  return pgbench_sql(sql, replacements, "q");
}

TEST(PgbenchSql, ParametersBecomeVariablesAndCastsStay) {
  EXPECT_EQ(rewrite("SELECT * FROM t WHERE a = $1::bigint AND b = $2", {":x", "'lit'"}),
            "SELECT * FROM t WHERE a = :x::bigint AND b = 'lit';");
  EXPECT_EQ(rewrite("SELECT $10", std::vector<std::string>(10, ":v")), "SELECT :v;");
}

TEST(PgbenchSql, CommentsGoAndOneSemicolonEndsTheCommand) {
  EXPECT_EQ(rewrite("-- a: note\nSELECT 1 /* b:c /* nested */ */ FROM t -- tail:x\n;;\n  "),
            "SELECT 1   FROM t;");
}

TEST(PgbenchSql, ColonsInLiteralsAndIdentifiersBecomeUnicodeEscapes) {
  EXPECT_EQ(rewrite("SELECT 'x:abc', 'it''s:a\\b', \"col:x\" FROM t"),
            "SELECT U&'x\\003Aabc', U&'it''s\\003Aa\\\\b', U&\"col\\003Ax\" FROM t;");
  // A colon pgbench does not read as a variable stays as written.
  EXPECT_EQ(rewrite("SELECT '10: 30', 'a::b'"), "SELECT '10: 30', 'a::b';");
  EXPECT_EQ(rewrite("SELECT U&'a:b'"), "SELECT U&'a\\003Ab';");
}

TEST(PgbenchSql, ArraySlicesGetASpace) {
  EXPECT_EQ(rewrite("SELECT a[1:n], a[1:2] FROM t"), "SELECT a[1: n], a[1:2] FROM t;");
}

TEST(PgbenchSql, DollarSignsThatAreNotParametersStay) {
  EXPECT_EQ(rewrite("SELECT foo$1, $$a$1$$, $tag$x$tag$ FROM t WHERE b = $1"),
            "SELECT foo$1, $$a$1$$, $tag$x$tag$ FROM t WHERE b = :p1;");
  EXPECT_EQ(rewrite("SELECT 'costs $1' WHERE x = $1"), "SELECT 'costs $1' WHERE x = :p1;");
}

TEST(PgbenchSql, RefusesWhatPgbenchCannotCarry) {
  EXPECT_THROW(rewrite("SELECT $2"), UsageError);
  EXPECT_THROW(rewrite("SELECT $0"), UsageError);
  EXPECT_THROW(rewrite("SELECT E'a:b'"), UsageError);
  EXPECT_THROW(rewrite("SELECT $f$a:b$f$"), UsageError);
  EXPECT_THROW(rewrite("-- only a comment\n"), UsageError);
  try {
    pgbench_sql("SELECT $3", {":a"}, "listing");
    FAIL();
  } catch (const UsageError& e) {
    EXPECT_NE(std::string(e.what()).find("query 'listing' uses $3 but declares 1 parameter"),
              std::string::npos)
        << e.what();
  }
}

TEST(PgbenchSql, LiteralsAndNames) {
  EXPECT_EQ(pgbench_literal("it's"), "'it''s'");
  EXPECT_EQ(pgbench_literal("10:30"), "'10:30'");  // a digit starts no variable
  EXPECT_EQ(pgbench_literal("a:b\\"), "U&'a\\003Ab\\\\'");
  EXPECT_EQ(safe_name("Order Items.ID"), "order_items_id");
  EXPECT_EQ(safe_name("9lives"), "q_9lives");
  EXPECT_EQ(safe_name(""), "q_");
}

}  // namespace
}  // namespace pgshape
