// How validation names a key of several columns: every message about a
// composite primary key, a composite unique index or a multi-column foreign key
// names the whole key ("primary key (x, y) of 'a'", "foreign key (order_id,
// line_no) of 'shipments' -> items"), never only its first column.
#include <gtest/gtest.h>

#include <string>

#include "pgshape/profile.hpp"
#include "profile_problems.hpp"

namespace pgshape {
namespace {

using testing::has;
using testing::problems;

// The message of the one diagnostic that contains `needle`, or "" (and a failure).
std::string message_with(const std::vector<Diagnostic>& list, const std::string& needle) {
  for (const auto& d : list)
    if (d.message.find(needle) != std::string::npos) return d.message;
  std::string all;
  for (const auto& d : list) all += "\n  " + d.message;
  ADD_FAILURE() << "no message with '" << needle << "' among:" << all;
  return "";
}

// items' key is a fanout foreign key and its child_number; shipments reference
// it with (order_id, line_no). `order_id` and `line_no` are shipments' columns.
std::string with_foreign_key(const std::string& order_id, const std::string& line_no,
                             const std::string& ref = "items(order_id, line_no)",
                             const std::string& fk_extra = "") {
  return "name: t\nscales: { s: 1000 }\ntables:\n"
         "  orders:\n    rows: 1x\n    columns:\n"
         "      id: { type: bigint, primary_key: true }\n"
         "  items:\n    rows: 2x\n    primary_key: [order_id, line_no]\n    columns:\n"
         "      order_id: { type: bigint, ref: orders.id, dist: fanout, values: { 1: 1, 3: 1 } }\n"
         "      line_no: { type: integer, dist: child_number, of: order_id }\n"
         "      note: { type: integer }\n"
         "  shipments:\n    rows: 3x\n"
         "    foreign_keys: [{ columns: [order_id, line_no], ref: \"" +
         ref + "\"" + fk_extra +
         " }]\n    columns:\n"
         "      id: { type: bigint, primary_key: true }\n"
         "      order_id: { " +
         order_id +
         " }\n"
         "      line_no: { " +
         line_no + " }\n";
}

const std::string kOrderId = "type: bigint, ref: items.order_id, dist: uniform";
const std::string kLineNo = "type: integer, dist: copy, from: order_id.line_no";

TEST(KeyWording, TheForeignKeyFixtureItselfIsValid) {
  EXPECT_TRUE(problems(with_foreign_key(kOrderId, kLineNo)).empty());
}

TEST(KeyWording, ACompositePrimaryKeyThatCannotBeUniqueIsNamedWhole) {
  const auto list = problems(
      "name: t\nscales: { s: 30 }\ntables:\n  a:\n    rows: 30\n    primary_key: [x, y]\n"
      "    columns:\n      x: { type: int, dist: uniform, min: 1, max: 5 }\n"
      "      y: { type: int, dist: uniform, min: 1, max: 5 }\n");
  EXPECT_EQ(message_with(list, "cannot be unique"),
            "primary key (x, y) of 'a' cannot be unique at scale 's': 25 combinations of values "
            "(x at most 5, y at most 5) for 30 rows");
}

TEST(KeyWording, ACompositePrimaryKeyWithAnUnknownColumnIsNamedWhole) {
  const auto list = problems(
      "name: t\nscales: { s: 30 }\ntables:\n  a:\n    rows: 30\n    primary_key: [x, z]\n"
      "    columns:\n      x: { type: int }\n");
  EXPECT_EQ(message_with(list, "unknown column 'z'"),
            "primary key (x, z) of 'a' names unknown column 'z'");
}

TEST(KeyWording, PrimaryKeyTrueOnTwoColumnsMakesOneKeyOfBoth) {
  const auto list = problems(
      "name: t\nscales: { s: 30 }\ntables:\n  a:\n    rows: 30\n    columns:\n"
      "      x: { type: int, primary_key: true, dist: uniform, min: 1, max: 5 }\n"
      "      y: { type: int, primary_key: true, dist: uniform, min: 1, max: 5 }\n");
  EXPECT_TRUE(has(list, "primary key (x, y) of 'a' cannot be unique")) << list.size();
}

TEST(KeyWording, AColumnOfAPrimaryKeyIsInItNotItsWhole) {
  const auto list = problems(
      "name: t\nscales: { s: 30 }\ntables:\n  a:\n    rows: 30\n    columns:\n"
      "      x: { type: bigint, primary_key: true, null_fraction: 0.5 }\n"
      "      y: { type: bigint, primary_key: true, given: z }\n      z: { type: bigint }\n");
  EXPECT_EQ(message_with(list, "NULL"), "column 'a.x' is in the primary key and cannot be NULL");
  EXPECT_EQ(message_with(list, "depend"),
            "column 'a.y' cannot depend on another column: it is in the primary key");
}

TEST(KeyWording, ACompositeUniqueIndexIsNamedWholeWithItsName) {
  auto profile = [](const std::string& name) {
    return "name: t\nscales: { s: 100 }\ntables:\n  a:\n    rows: 100\n    columns:\n"
           "      id: { type: bigint, primary_key: true }\n"
           "      x: { type: int, dist: uniform, min: 1, max: 5 }\n"
           "      y: { type: int, dist: uniform, min: 1, max: 5 }\n"
           "    indexes: [{ " +
           name + "columns: [x, y], unique: true }]\n";
  };
  EXPECT_TRUE(has(problems(profile("")), "unique index (x, y) on 'a' cannot be unique"));
  EXPECT_TRUE(
      has(problems(profile("name: a_xy, ")), "unique index a_xy (x, y) on 'a' cannot be unique"));
}

TEST(KeyWording, ThreeColumnKeysNameEveryOtherColumnTheMostCommonValueNeeds) {
  const auto list = problems(
      "name: t\nscales: { s: 1000 }\ntables:\n  a:\n    rows: 1000\n"
      "    primary_key: [x, y, z]\n    columns:\n"
      "      x: { type: int, dist: zipf, n: 100, s: 2 }\n"
      "      y: { type: int, dist: uniform, min: 1, max: 5 }\n"
      "      z: { type: int, dist: uniform, min: 1, max: 5 }\n");
  const std::string m = message_with(list, "most common value");
  EXPECT_EQ(m.rfind("primary key (x, y, z) of 'a' cannot be unique at scale 's': ", 0), 0u) << m;
  EXPECT_NE(m.find("each needing its own value of (y, z), which give at most 25"),
            std::string::npos)
      << m;
}

TEST(KeyWording, AMultiColumnForeignKeyIsNamedWholeWithItsParent) {
  const std::string key = "foreign key (order_id, line_no) of 'shipments' -> items";
  EXPECT_EQ(message_with(problems(with_foreign_key(kOrderId, "type: integer")), "must be"),
            key + ": column 'line_no' must be dist: copy, from: order_id.line_no");
  EXPECT_EQ(message_with(problems(with_foreign_key(kOrderId, kLineNo, "items(order_id, note)")),
                         "no primary key"),
            key + " references items(order_id, note), which is no primary key or unique index");
  EXPECT_EQ(message_with(problems(with_foreign_key(
                             "type: bigint, ref: items.order_id, dist: normal, mean: 5, "
                             "stddev: 1",
                             kLineNo)),
                         "picks its parent"),
            key + " picks its parent with 'normal'");
}

TEST(KeyWording, AMissingParentOfAMultiColumnKeyIsReportedOnceForTheWholeKey) {
  std::string yaml = with_foreign_key("type: bigint, ref: itemz.order_id, dist: uniform", kLineNo,
                                      "itemz(order_id, line_no)");
  auto list = problems(yaml);
  ASSERT_EQ(list.size(), 1u) << list[0].message;
  EXPECT_EQ(list[0].message,
            "foreign key (order_id, line_no) of 'shipments' -> itemz references missing table "
            "'itemz'");
  EXPECT_EQ(list[0].hint, "did you mean 'items'?");

  yaml = with_foreign_key("type: bigint, ref: items.order_ix, dist: uniform", kLineNo,
                          "items(order_ix, line_no)");
  list = problems(yaml);
  ASSERT_EQ(list.size(), 1u) << list[0].message;
  EXPECT_EQ(list[0].message,
            "foreign key (order_id, line_no) of 'shipments' -> items references missing column "
            "'items.order_ix'");
}

TEST(KeyWording, AConstraintNameClashNamesTheMultiColumnKeyWhole) {
  // Cut to 63 bytes, (a..a, n)'s name and a..aX's are the same.
  const std::string table(40, 't'), head(30, 'a'), single = std::string(29, 'a') + "X";
  const auto list = problems(
      "name: t\nscales: { s: 100 }\ntables:\n  p:\n    rows: 100\n    primary_key: [id, n]\n"
      "    columns:\n      id: { type: bigint, unique: true }\n      n: { type: integer }\n"
      "  " +
      table +
      ":\n    rows: 100\n"
      "    foreign_keys: [{ columns: [" +
      head +
      ", n], ref: \"p(id, n)\" }]\n"
      "    columns:\n      id: { type: bigint, primary_key: true }\n"
      "      " +
      head +
      ": { type: bigint, ref: p.id }\n"
      "      n: { type: integer, dist: copy, from: " +
      head +
      ".n }\n"
      "      " +
      single + ": { type: bigint, ref: p.id }\n");
  const std::string m = message_with(list, "would be named");
  EXPECT_EQ(m.rfind("the foreign key of '" + single + "' would be named", 0), 0u) << m;
  EXPECT_NE(m.find("the name of the foreign key (" + head + ", n) of '" + table + "' -> p:"),
            std::string::npos)
      << m;
}

TEST(KeyWording, ActionsOnTheHeadOfAMultiColumnKeyNameThatKey) {
  EXPECT_EQ(
      message_with(problems(with_foreign_key(kOrderId + ", on_delete: cascade", kLineNo)), "heads"),
      "column 'shipments.order_id' heads foreign key (order_id, line_no) of 'shipments' -> "
      "items: its actions belong to that key");
}

TEST(KeyWording, TheHeadOfAMultiColumnKeyIsOneColumnOfIt) {
  // A parent key of text and integer: the head's values can be longer than its type.
  const auto list = problems(
      "name: t\nscales: { s: 100 }\ntables:\n"
      "  items:\n    rows: 100\n    primary_key: [code, n]\n    columns:\n"
      "      code: { type: varchar(10), unique: true, dist: pattern, pattern: \"C#########\" }\n"
      "      n: { type: integer }\n"
      "  shipments:\n    rows: 100\n"
      "    foreign_keys: [{ columns: [code, n], ref: \"items(code, n)\" }]\n"
      "    columns:\n"
      "      code: { type: varchar(3), ref: items.code }\n"
      "      n: { type: integer, dist: copy, from: code.n }\n");
  const std::string m = message_with(list, "takes items.code's values");
  EXPECT_EQ(m.rfind("shipments.code, the first column of foreign key (code, n) of 'shipments' -> "
                    "items, takes items.code's values, which ",
                    0),
            0u)
      << m;
}

}  // namespace
}  // namespace pgshape
