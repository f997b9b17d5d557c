// Identifiers round-trip between the stats profile writer and the parser
// (issue 14): a production schema whose tables, columns and indexes carry any
// name PostgreSQL allows — spaces, colons, '#', dots, quotes, unicode, 63 bytes,
// YAML's own words — is written by render_profile into a profile that
// parse_profile accepts with exactly those names, orders and references.
#include <gtest/gtest.h>

#include <fmt/format.h>

#include <string>
#include <vector>

#include "pgshape/error.hpp"
#include "pgshape/profile.hpp"
#include "pgshape/stats.hpp"

namespace pgshape {
namespace {

const std::vector<std::string>& hostile_names() {
  static const std::vector<std::string> kNames = {
      "weird: col #1",
      "has space",
      "a.b.c",
      "quote\"inside",
      "\"leading quote",
      "trailing quote\"",
      "ünïcødé €",
      std::string(63, 'x'),
      std::string(60, 'y') + "é",  // 62 bytes, the last character two of them
      "select",
      "null",
      "true",
      "~",
      "yes",
      "123",
      "- dash",
      "[bracket",
      "{brace}",
      "*star",
      "&anchor",
      "!tag",
      "%percent",
      "@at",
      "`tick",
      "'single",
      " leading space",
      "trailing space ",
      "#hash",
      "key: value",
      "DESC",
      "x DESC",
  };
  return kNames;
}

// The index and foreign-key column names the snapshot gives parent i.
std::string index_of(int i, const std::string& name) {
  return fmt::format("i{} {}", i, name.substr(0, 40));
}
std::string fk_of(int i, const std::string& name) {
  return fmt::format("fk {} {}", i, name.substr(0, 40));
}

ColumnStats bigint(const std::string& name) {
  return ColumnStats{.name = name, .type = "bigint", .not_null = true};
}

// One parent table per hostile name (its key column has the name too), each
// with an index on that column in descending order; one child references them all.
StatsSnapshot hostile_snapshot() {
  StatsSnapshot snap{.database = "prod", .schema = "public"};
  TableStats child{.name = "child", .reltuples = 100};
  child.columns.push_back(bigint("id"));
  child.primary_key = {"id"};
  int i = 0;
  for (const auto& name : hostile_names()) {
    TableStats t{.name = name, .reltuples = 100};
    t.columns.push_back(bigint(name));
    t.columns.push_back(bigint("other"));
    t.primary_key = {name};
    t.indexes.push_back(IndexStats{.name = index_of(i, name),
                                   .columns = {name, "other"},
                                   .orders = {"DESC NULLS LAST", ""},
                                   .method = "btree"});
    snap.tables.push_back(std::move(t));
    const std::string fk_column = fk_of(i++, name);
    child.columns.push_back(bigint(fk_column));
    child.foreign_keys.push_back(ForeignKeyStats{.name = fmt::format("fk{}", i),
                                                 .columns = {fk_column},
                                                 .parent_table = name,
                                                 .parent_columns = {name}});
  }
  snap.tables.push_back(std::move(child));
  return snap;
}

TEST(IdentifierRoundTrip, EveryHostileNameSurvivesRenderThenParse) {
  const StatsSnapshot snap = hostile_snapshot();
  const std::string text = render_profile(snap, ImportOptions{.name = "mirror"});
  Profile profile;
  try {
    profile = parse_profile(text, "mirror.yaml");
  } catch (const ProfileError& e) {
    std::string all;
    for (const auto& d : e.diagnostics()) all += fmt::format("{} {}\n", d.code, d.to_string());
    FAIL() << "the writer's own profile was refused:\n" << all << "\n" << text;
  }
  int i = 0;
  for (const auto& name : hostile_names()) {
    SCOPED_TRACE(name);
    const Table* t = profile.find_table(name);
    ASSERT_NE(t, nullptr);
    ASSERT_NE(t->find_column(name), nullptr);
    EXPECT_EQ(t->primary_key, std::vector<std::string>{name});
    ASSERT_EQ(t->indexes.size(), 1u);
    EXPECT_EQ(t->indexes[0].name, index_of(i, name));
    EXPECT_EQ(t->indexes[0].columns, (std::vector<std::string>{name, "other"}));
    EXPECT_EQ(t->indexes[0].orders, (std::vector<std::string>{"DESC NULLS LAST", ""}));
    const Column* fk = profile.find_table("child")->find_column(fk_of(i++, name));
    ASSERT_NE(fk, nullptr);
    ASSERT_TRUE(fk->ref);
    EXPECT_EQ(fk->ref->table, name);
    EXPECT_EQ(fk->ref->column, name);
  }
}

// What a person writes by hand: a quoted name before its ordering, the map form,
// and a bare name with spaces that is one of the table's columns.
TEST(IdentifierRoundTrip, IndexColumnsTakeQuotedMapAndBareForms) {
  const Profile p = parse_profile(R"yaml(name: forms
scales: { s: 10 }
tables:
  t:
    rows: 10
    columns:
      'weird: col #1': { type: bigint }
      'two words': { type: bigint }
      'say "hi"': { type: bigint }
    indexes:
      - columns: ['"weird: col #1" DESC', 'two words nulls first', '"say ""hi""" asc']
      - columns: [{ column: 'weird: col #1', order: desc nulls last }, { column: two words }]
)yaml",
                                  "forms.yaml");
  const Table& t = *p.find_table("t");
  EXPECT_EQ(t.indexes[0].columns,
            (std::vector<std::string>{"weird: col #1", "two words", "say \"hi\""}));
  EXPECT_EQ(t.indexes[0].orders, (std::vector<std::string>{"DESC", "NULLS FIRST", "ASC"}));
  EXPECT_EQ(t.indexes[1].columns, (std::vector<std::string>{"weird: col #1", "two words"}));
  EXPECT_EQ(t.indexes[1].orders, (std::vector<std::string>{"DESC NULLS LAST", ""}));
}

// A dot inside a name: quoted as in SQL, or found among the tables unquoted.
TEST(IdentifierRoundTrip, RefsSplitAtTheDotThatNamesAColumn) {
  const Profile p = parse_profile(R"yaml(name: refs
scales: { s: 10 }
tables:
  'my.parent': { rows: 10, columns: { 'id.x': { type: bigint, primary_key: true } } }
  child:
    rows: 10
    columns:
      a: { type: bigint, ref: my.parent.id.x }
      b: { type: bigint, ref: '"my.parent"."id.x"' }
      c: { type: bigint, ref: '"my.parent".id.x' }
queries:
  - { name: q, sql: "SELECT $1::bigint", params: [{ column: my.parent.id.x }] }
)yaml",
                                  "refs.yaml");
  const Table& child = *p.find_table("child");
  for (const char* name : {"a", "b", "c"}) {
    SCOPED_TRACE(name);
    ASSERT_TRUE(child.find_column(name)->ref);
    EXPECT_EQ(child.find_column(name)->ref->table, "my.parent");
    EXPECT_EQ(child.find_column(name)->ref->column, "id.x");
  }
  EXPECT_EQ(p.queries[0].params[0].table, "my.parent");
  EXPECT_EQ(p.queries[0].params[0].column, "id.x");
}

}  // namespace
}  // namespace pgshape
