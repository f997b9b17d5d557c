// The profile's forms for a production schema's own structure: types: (enums,
// domains), checks:, index definition:, all-NULL columns of types pgshape does
// not generate, and left_out: — read into the model, and refused with a position
// when they could carry anything but what their place allows.
#include <gtest/gtest.h>

#include <string>

#include "pgshape/error.hpp"
#include "pgshape/profile.hpp"
#include "profile_problems.hpp"

namespace pgshape {
namespace {

constexpr const char* kGood = R"yaml(name: inv
schema: inv
scales: {production: 100}
types:
  mood: {enum: [sad, ok, "it's"]}
  "Odd Kind": {enum: ["a b"]}
  posint: {domain: integer, check: ["(VALUE > 0)"], not_null: true}
tables:
  items:
    rows: 100
    columns:
      id: {type: bigint, primary_key: true, dist: sequence}
      feeling: {type: mood, dist: weighted, values: {sad: 1, ok: 2}}
      kind: {type: Odd Kind, dist: weighted, values: {"a b": 1}}
      weight: {type: posint, dist: uniform, min: 1, max: 9}
      tags: {type: "text[]", null_fraction: 1}
    checks:
      - {name: items_weight_check, check: "(weight < 10)"}
      - "(id > 0)"
    indexes:
      - {name: items_tags_gin, definition: "USING gin (tags)"}
      - {name: items_lower, definition: "USING btree (lower(kind::text)) WHERE (id > 5)"}
left_out:
  - {object: "view v", reason: "views are not rebuilt"}
  - "trigger t on items"
)yaml";

using testing::has;
using testing::problems;

TEST(SchemaObjects, TypesChecksDefinitionsAndLeftOutAreRead) {
  const Profile p = parse_profile(kGood, "p.yaml");
  ASSERT_EQ(p.types.size(), 3u);
  EXPECT_TRUE(p.types[0].is_enum);
  EXPECT_EQ(p.types[0].labels, (std::vector<std::string>{"sad", "ok", "it's"}));
  EXPECT_FALSE(p.types[2].is_enum);
  EXPECT_EQ(p.types[2].base.sql(), "integer");
  EXPECT_TRUE(p.types[2].not_null);
  const Table& t = p.tables[0];
  EXPECT_EQ(t.find_column("feeling")->type.sql(), "\"mood\"");
  EXPECT_TRUE(t.find_column("feeling")->type.is_textual());
  EXPECT_EQ(t.find_column("kind")->type.sql(), "\"Odd Kind\"");
  EXPECT_EQ(t.find_column("weight")->type.sql(), "\"posint\"");
  EXPECT_TRUE(t.find_column("weight")->type.is_integer());
  EXPECT_TRUE(t.find_column("tags")->type.opaque);
  EXPECT_EQ(t.find_column("tags")->type.sql(), "text[]");
  ASSERT_EQ(t.checks.size(), 2u);
  EXPECT_EQ(t.checks[0].name, "items_weight_check");
  EXPECT_EQ(t.checks[1].expr, "(id > 0)");
  ASSERT_EQ(t.indexes.size(), 2u);
  EXPECT_EQ(t.indexes[0].definition, "USING gin (tags)");
  ASSERT_EQ(p.left_out.size(), 2u);
  EXPECT_EQ(p.left_out[0].reason, "views are not rebuilt");
  EXPECT_EQ(p.left_out[1].object, "trigger t on items");
}

TEST(SchemaObjects, SqlThatCouldLeaveItsPlaceIsRefusedWithAPosition) {
  auto replace = [](std::string text, const std::string& from, const std::string& to) {
    const auto at = text.find(from);
    EXPECT_NE(at, std::string::npos) << from;
    return text.replace(at, from.size(), to);
  };
  const std::string good(kGood);
  auto bad = problems(replace(good, "\"USING gin (tags)\"", "\"(tags); DROP TABLE x\""));
  EXPECT_TRUE(has(bad, "must start with USING")) << bad.size();
  bad = problems(replace(good, "\"USING gin (tags)\"", "\"USING gin (tags); DROP TABLE x\""));
  EXPECT_TRUE(has(bad, "must be one expression")) << bad.size();
  bad = problems(replace(good, "\"(weight < 10)\"", "\"(weight < 10))) OR (true\""));
  EXPECT_TRUE(has(bad, "parentheses do not balance")) << bad.size();
  bad = problems(replace(good, "\"(VALUE > 0)\"", "\"VALUE > 0; SELECT 1\""));
  EXPECT_TRUE(has(bad, "must be one expression")) << bad.size();
  // A type pgshape does not generate: only for a column that is all NULL, and
  // only spelled as a type (nothing that ends the statement).
  bad = problems(replace(good, "null_fraction: 1}", "null_fraction: 0.5}"));
  EXPECT_TRUE(has(bad, "text[]")) << bad.size();
  bad = problems(replace(good, "\"text[]\"", "\"text); DROP TABLE x; --\""));
  EXPECT_FALSE(bad.empty());
  bad = problems(replace(good, "posint: {domain: integer", "posint: {domain: jsonb"));
  EXPECT_TRUE(has(bad, "base type 'jsonb'")) << bad.size();
  bad = problems(replace(good, "{name: items_tags_gin, definition", "{definition"));
  EXPECT_TRUE(has(bad, "needs a 'name'")) << bad.size();
  for (const auto& d : bad) EXPECT_GT(d.line, 0) << d.message;
}

}  // namespace
}  // namespace pgshape
