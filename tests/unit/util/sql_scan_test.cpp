// The SQL splitter must cut where PostgreSQL's lexer cuts: a ';' inside a
// string, identifier, dollar quote or comment is not the end of a statement,
// and one outside them always is.
#include <gtest/gtest.h>

#include <string>
#include <vector>

#include "pgshape/util.hpp"

namespace pgshape {
namespace {

std::vector<std::string> pieces(std::string_view sql) {
  const SqlScan scan = scan_sql(sql);
  EXPECT_EQ(scan.error, "") << sql;
  std::vector<std::string> out;
  for (const auto& s : scan.statements) out.emplace_back(s.text);
  return out;
}

using Pieces = std::vector<std::string>;

TEST(SqlScan, SplitsAtTopLevelSemicolons) {
  EXPECT_EQ(pieces("id > 0; DROP TABLE public.victim; --"),
            (Pieces{"id > 0", "DROP TABLE public.victim"}));
  EXPECT_EQ(pieces("COMMIT;DROP TABLE v"), (Pieces{"COMMIT", "DROP TABLE v"}));
  EXPECT_EQ(pieces("  ;; SELECT 1 ;\n\n"), (Pieces{"SELECT 1"}));
  EXPECT_EQ(pieces(""), Pieces{});
  EXPECT_EQ(pieces("-- only a comment\n/* and another */"), Pieces{});
}

TEST(SqlScan, SemicolonsInsideQuotesAndCommentsDoNotSplit) {
  EXPECT_EQ(pieces("SELECT 'a;b'"), (Pieces{"SELECT 'a;b'"}));
  EXPECT_EQ(pieces("SELECT 'it''s; fine'"), (Pieces{"SELECT 'it''s; fine'"}));
  EXPECT_EQ(pieces("SELECT \"we;ird\"\"name\" FROM t"),
            (Pieces{"SELECT \"we;ird\"\"name\" FROM t"}));
  EXPECT_EQ(pieces("SELECT E'\\'; still inside'"), (Pieces{"SELECT E'\\'; still inside'"}));
  EXPECT_EQ(pieces("SELECT e'a\\\\'; SELECT 2"), (Pieces{"SELECT e'a\\\\'", "SELECT 2"}));
  EXPECT_EQ(pieces("SELECT 1 -- a; comment\n; SELECT 2"), (Pieces{"SELECT 1", "SELECT 2"}));
  EXPECT_EQ(pieces("SELECT /* a /* nested; */ still; comment */ 1; SELECT 2"),
            (Pieces{"SELECT /* a /* nested; */ still; comment */ 1", "SELECT 2"}));
  EXPECT_EQ(pieces("DO $$ BEGIN PERFORM 1; END $$; SELECT 2"),
            (Pieces{"DO $$ BEGIN PERFORM 1; END $$", "SELECT 2"}));
  EXPECT_EQ(pieces("DO $body$ x; $b$ y; $body$"), (Pieces{"DO $body$ x; $b$ y; $body$"}));
}

TEST(SqlScan, DollarSignsThatAreNotQuotes) {
  // $1 is a parameter; a '$' inside an identifier belongs to it.
  EXPECT_EQ(pieces("SELECT $1; SELECT 2"), (Pieces{"SELECT $1", "SELECT 2"}));
  EXPECT_EQ(pieces("SELECT a$b$ FROM t; SELECT 2"), (Pieces{"SELECT a$b$ FROM t", "SELECT 2"}));
  // A backslash is an ordinary character of a standard string.
  EXPECT_EQ(pieces("SELECT 'a\\'; SELECT 2"), (Pieces{"SELECT 'a\\'", "SELECT 2"}));
}

TEST(SqlScan, ReportsUnterminatedQuotesAndComments) {
  for (const char* sql : {"SELECT 'open; DROP TABLE x", "SELECT \"open", "SELECT E'\\'",
                          "DO $$ BEGIN", "SELECT 1 /* open /* nested */", "DO $a$ x $b$"}) {
    const SqlScan scan = scan_sql(sql);
    EXPECT_NE(scan.error, "") << sql;
  }
  const SqlScan scan = scan_sql("SELECT 1;\nSELECT 'x");
  EXPECT_EQ(scan.error, "a quoted string");
  EXPECT_EQ(scan.error_offset, 17u);
}

TEST(SqlScan, OffsetsAndParenthesesOfEachStatement) {
  const SqlScan scan = scan_sql("  a > (1)\n; b) OR (c ;(d");
  ASSERT_EQ(scan.statements.size(), 3u);
  EXPECT_EQ(scan.statements[0].offset, 2u);
  EXPECT_TRUE(scan.statements[0].balanced_parens);
  EXPECT_EQ(scan.statements[1].text, "b) OR (c");
  EXPECT_FALSE(scan.statements[1].balanced_parens);
  EXPECT_FALSE(scan.statements[2].balanced_parens);
  EXPECT_TRUE(scan_sql("f(')') = g(\"(\")").statements[0].balanced_parens);
}

TEST(SqlScan, TransactionControlByLeadingKeywords) {
  const std::vector<std::pair<std::string, std::string>> cases = {
      {"COMMIT", "COMMIT"},
      {"commit and chain", "COMMIT"},
      {"END", "END"},
      {"end work", "END"},
      {"ROLLBACK", "ROLLBACK"},
      {"rollback /* x */ to savepoint a", "ROLLBACK TO"},
      {"ABORT", "ABORT"},
      {"BEGIN", "BEGIN"},
      {"begin isolation level serializable", "BEGIN"},
      {"START TRANSACTION", "START TRANSACTION"},
      {"savepoint s", "SAVEPOINT"},
      {"RELEASE SAVEPOINT s", "RELEASE"},
      {"PREPARE TRANSACTION 'x'", "PREPARE TRANSACTION"},
      {"COMMIT PREPARED 'x'", "COMMIT PREPARED"},
      {"ROLLBACK PREPARED 'x'", "ROLLBACK PREPARED"},
      {"-- lead\nCOMMIT", "COMMIT"},
      {"PREPARE q AS SELECT 1", ""},
      {"CREATE INDEX ON t (a)", ""},
      {"CALL p()", ""},
      {"DO $$ BEGIN COMMIT; END $$", ""},
      {"SELECT 'COMMIT'", ""},
      {"committed_at > now()", ""},
  };
  for (const auto& [sql, expected] : cases) {
    const SqlScan scan = scan_sql(sql);
    ASSERT_EQ(scan.statements.size(), 1u) << sql;
    EXPECT_EQ(transaction_control(scan.statements[0].text), expected) << sql;
  }
}

TEST(SqlScan, TextPositionCountsCharacters) {
  const std::string text = "ab\nçd;x";
  const TextPos at = text_position(text, text.find(';'));
  EXPECT_EQ(at.line, 2);
  EXPECT_EQ(at.column, 3);
}

TEST(JsonDepth, FindsTheBracketThatNestsTooDeep) {
  EXPECT_FALSE(json_too_deep(R"({"a": [[1, 2], {"b": "[[[["}]})", 3));
  EXPECT_EQ(json_too_deep("[[[[1]]]]", 3), 3u);
  EXPECT_EQ(json_too_deep(R"(["\"[", [[["x"]]]])", 3), 10u);
  EXPECT_TRUE(json_too_deep(std::string(150000, '['), kMaxJsonDepth));
  EXPECT_FALSE(json_too_deep(std::string(kMaxJsonDepth, '[') + std::string(kMaxJsonDepth, ']')));
}

}  // namespace
}  // namespace pgshape
