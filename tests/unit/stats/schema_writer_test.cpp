// The profile a snapshot of a production schema renders to, without a server:
// enums and domains become types:, simple CHECKs are kept and their columns
// drawn inside them, other CHECKs and objects go to left_out:, every index kind
// is kept by definition, columns of types pgshape does not generate draw
// production's values — and the result is a valid profile.
#include <gtest/gtest.h>

#include <algorithm>

#include "pgshape/profile.hpp"
#include "pgshape/stats.hpp"

namespace pgshape {
namespace {

StatsSnapshot schema_snapshot() {
  StatsSnapshot s{.database = "inv", .schema = "inv", .taken_at = "2026-01-01T00:00:00Z"};
  s.types.push_back(TypeStats{.name = "mood", .kind = 'e', .labels = {"sad", "ok", "happy"}});
  s.types.push_back(TypeStats{
      .name = "posint", .kind = 'd', .base = "integer", .checks = {"CHECK ((VALUE > 0))"}});
  s.types.push_back(TypeStats{.name = "\"Sku\"",
                              .kind = 'd',
                              .base = "text",
                              .checks = {"CHECK ((VALUE ~ '^[a-z]+$'::text))"}});
  TableStats items{.name = "items", .reltuples = 1000, .primary_key = {"id"}};
  auto col = [&](ColumnStats c) {
    c.has_stats = true;
    items.columns.push_back(std::move(c));
  };
  col({.name = "id",
       .type = "bigint",
       .not_null = true,
       .identity = "d",
       .avg_width = 8,
       .n_distinct = -1,
       .histogram = {"1", "1000"},
       .correlation = 1});
  col({.name = "feeling",
       .type = "mood",
       .not_null = true,
       .n_distinct = 2,
       .mcv = {"happy", "ok"},
       .mcf = {0.7, 0.2}});
  col({.name = "weight",
       .type = "posint",
       .n_distinct = 50,
       .histogram = {"1", "20", "90"},
       .correlation = 0});
  col({.name = "sku",
       .type = "\"Sku\"",
       .not_null = true,
       .mcv = {"abc"},
       .mcf = {0.1},
       .histogram = {"aa", "zz"}});
  col({.name = "status",
       .type = "character varying(8)",
       .not_null = true,
       .n_distinct = 3,
       .mcv = {"paid", "new"},
       .mcf = {0.6, 0.3},
       .histogram = {"a", "z"}});
  col({.name = "qty", .type = "integer", .not_null = true, .histogram = {"1", "50"}});
  col({.name = "tags",
       .type = "text[]",
       .mcv = {"{a,b}", "{c}"},
       .mcf = {0.5, 0.2},
       .histogram = {"{a}", "{z}"}});
  col({.name = "spot", .type = "point"});
  col({.name = "shape", .type = "point", .not_null = true});
  items.checks.push_back(
      CheckStats{.name = "items_status_check",
                 .definition = "CHECK (((status)::text = ANY ((ARRAY['new'::character varying, "
                               "'paid'::character varying, 'gone'::character varying])::text[])))",
                 .columns = {"status"}});
  items.checks.push_back(CheckStats{.name = "items_qty_check",
                                    .definition = "CHECK (((qty >= 1) AND (qty <= 100)))",
                                    .columns = {"qty"}});
  items.checks.push_back(CheckStats{.name = "two",
                                    .definition = "CHECK (((qty < 50) OR (weight < 5)))",
                                    .columns = {"weight", "qty"}});
  items.checks.push_back(
      CheckStats{.name = "odd", .definition = "CHECK (((qty % 2) = 1))", .columns = {"qty"}});
  items.indexes.push_back(IndexStats{.name = "items_tags",
                                     .columns = {"tags"},
                                     .orders = {""},
                                     .method = "gin",
                                     .definition = "USING gin (tags)",
                                     .plain = false,
                                     .uses = {"tags"}});
  items.indexes.push_back(IndexStats{.name = "items_shape",
                                     .columns = {"shape"},
                                     .orders = {""},
                                     .method = "gist",
                                     .definition = "USING gist (shape)",
                                     .plain = false,
                                     .uses = {"shape"}});
  items.indexes.push_back(IndexStats{.name = "items_id_incl",
                                     .columns = {"id"},
                                     .orders = {""},
                                     .unique = true,
                                     .method = "btree",
                                     .definition = "USING btree (id) INCLUDE (qty)",
                                     .plain = false,
                                     .uses = {"id", "qty"}});
  items.indexes.push_back(IndexStats{.name = "items_lower",
                                     .columns = {""},
                                     .orders = {""},
                                     .unique = true,
                                     .method = "btree",
                                     .definition = "USING btree (lower((status)::text))",
                                     .plain = false,
                                     .uses = {"status"}});
  s.tables = {items};
  s.other_objects = {"view paid_items", "trigger audit on items"};
  return s;
}

bool left_out(const Profile& p, const std::string& object) {
  return std::any_of(p.left_out.begin(), p.left_out.end(),
                     [&](const LeftOut& l) { return l.object == object && !l.reason.empty(); });
}

TEST(SchemaWriter, ProductionStructureRendersToAValidProfileAndNamesWhatItLeavesOut) {
  std::vector<std::string> notes;
  const std::string text = render_profile(schema_snapshot(), ImportOptions{.name = "m"}, &notes);
  const Profile p = parse_profile(text, "m.yaml");
  EXPECT_EQ(p.schema, "inv") << "the mirror takes the source schema's name";
  ASSERT_EQ(p.types.size(), 3u) << text;
  EXPECT_TRUE(p.types[0].is_enum);
  const Table& t = p.tables.at(0);
  EXPECT_EQ(t.find_column("id")->identity, "by default");

  // An enum: its MCV frequencies, the rest shared by the labels pg_stats does not name.
  const Column* feeling = t.find_column("feeling");
  EXPECT_EQ(feeling->type.sql(), "\"mood\"");
  EXPECT_EQ(feeling->dist.kind, DistKind::kWeighted);
  EXPECT_EQ(feeling->dist.values, (std::vector<std::string>{"sad", "ok", "happy"}));
  EXPECT_NEAR(feeling->dist.weights[2], 0.7, 1e-9);
  EXPECT_NEAR(feeling->dist.weights[0], 0.1, 1e-9);
  // A domain generation stays inside is generated as its base; one it cannot is sampled.
  EXPECT_TRUE(t.find_column("weight")->type.is_integer());
  EXPECT_EQ(t.find_column("weight")->type.sql(), "\"posint\"");
  EXPECT_EQ(t.find_column("sku")->dist.kind, DistKind::kWeighted);
  EXPECT_TRUE(left_out(p, "generation of domain \"Sku\"")) << text;
  // An IN-list CHECK on varchar: drawn from the list only.
  const Column* status = t.find_column("status");
  EXPECT_EQ(status->dist.kind, DistKind::kWeighted) << text;
  EXPECT_EQ(status->dist.values, (std::vector<std::string>{"new", "paid", "gone"}));
  ASSERT_EQ(t.checks.size(), 2u) << text;
  EXPECT_EQ(t.checks[1].expr, "((qty >= 1) AND (qty <= 100))");
  EXPECT_TRUE(left_out(p, "check items.two"));
  EXPECT_TRUE(left_out(p, "check items.odd"));
  // Types pgshape does not generate: sampled, all NULL, or (NOT NULL, no values) left out.
  EXPECT_TRUE(t.find_column("tags")->type.opaque);
  EXPECT_EQ(t.find_column("tags")->dist.values.size(), 4u);
  EXPECT_TRUE(left_out(p, "values of column items.tags"));
  EXPECT_EQ(t.find_column("spot")->null_fraction, 1);
  EXPECT_FALSE(t.find_column("shape"));
  EXPECT_TRUE(left_out(p, "column items.shape"));
  // Indexes: by definition; one on a column left out is named; uniqueness kept
  // only where a plain key column proves it.
  std::vector<std::string> names;
  for (const auto& i : t.indexes) names.push_back(i.name);
  EXPECT_EQ(names, (std::vector<std::string>{"items_tags", "items_id_incl", "items_lower"}));
  EXPECT_EQ(t.indexes[0].definition, "USING gin (tags)");
  EXPECT_TRUE(t.indexes[1].unique);
  EXPECT_FALSE(t.indexes[2].unique);
  EXPECT_TRUE(left_out(p, "index items.items_shape"));
  EXPECT_TRUE(left_out(p, "uniqueness of index items.items_lower"));
  EXPECT_TRUE(left_out(p, "view paid_items"));
  EXPECT_TRUE(left_out(p, "trigger audit on items"));
  // Each is a note of stats too.
  EXPECT_TRUE(std::any_of(notes.begin(), notes.end(), [](const std::string& n) {
    return n.find("check items.two left out") != std::string::npos;
  }));
}

}  // namespace
}  // namespace pgshape
