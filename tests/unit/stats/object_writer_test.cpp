// What stats writes for the objects besides tables, without a server: generated
// columns with their expressions, foreign keys with their actions, the
// functions, extensions and views the mirror needs — and what it cannot
// rebuild, named. The result parses as a valid profile.
#include <gtest/gtest.h>

#include <algorithm>

#include "pgshape/profile.hpp"
#include "pgshape/stats.hpp"

namespace pgshape {
namespace {

StatsSnapshot objects_snapshot() {
  StatsSnapshot s{.database = "shop", .schema = "shop", .taken_at = "2026-01-01T00:00:00Z"};
  TableStats users{.name = "users", .reltuples = 1000, .primary_key = {"id"}};
  users.columns.push_back({.name = "id",
                           .type = "bigint",
                           .not_null = true,
                           .has_stats = true,
                           .n_distinct = -1,
                           .histogram = {"1", "1000"}});
  users.columns.push_back({.name = "email",
                           .type = "text",
                           .not_null = true,
                           .has_stats = true,
                           .n_distinct = -1,
                           .histogram = {"a@x", "z@x"}});
  users.columns.push_back({.name = "email_norm",
                           .type = "text",
                           .default_expr = "norm(email)",
                           .generated = true,
                           .has_stats = true,
                           .generated_reads = {"email"},
                           .generated_needs = {"function norm"}});
  users.columns.push_back({.name = "odd",
                           .type = "text",
                           .default_expr = "secret(email)",
                           .generated = true,
                           .generated_reads = {"email"},
                           .generated_needs = {"function secret"}});
  users.indexes.push_back(IndexStats{.name = "users_email_trgm",
                                     .columns = {"email"},
                                     .orders = {""},
                                     .method = "gin",
                                     .definition = "USING gin (email gin_trgm_ops)",
                                     .plain = false,
                                     .uses = {"email"},
                                     .needs = {"extension pg_trgm"}});
  users.indexes.push_back(IndexStats{.name = "users_norm",
                                     .columns = {""},
                                     .orders = {""},
                                     .method = "btree",
                                     .definition = "USING btree (norm(email))",
                                     .plain = false,
                                     .uses = {"email"},
                                     .needs = {"function norm"}});
  TableStats orders{.name = "orders", .reltuples = 5000, .primary_key = {"id"}};
  orders.columns.push_back({.name = "id",
                            .type = "bigint",
                            .not_null = true,
                            .has_stats = true,
                            .n_distinct = -1,
                            .histogram = {"1", "5000"}});
  orders.columns.push_back({.name = "user_id",
                            .type = "bigint",
                            .has_stats = true,
                            .n_distinct = 900,
                            .histogram = {"1", "1000"}});
  orders.foreign_keys.push_back(
      ForeignKeyStats{.name = "orders_user_id_fkey",
                      .columns = {"user_id"},
                      .parent_table = "users",
                      .parent_columns = {"id"},
                      .actions = "ON UPDATE CASCADE ON DELETE SET NULL DEFERRABLE INITIALLY "
                                 "DEFERRED"});
  s.tables = {orders, users};
  s.extensions = {"pg_stat_statements", "pg_trgm"};
  s.functions = {
      FunctionStats{.name = "norm",
                    .label = "function norm(text)",
                    .definition = "CREATE OR REPLACE FUNCTION norm(t text)\n RETURNS text\n "
                                  "LANGUAGE sql\n IMMUTABLE\nAS $function$SELECT lower(t) "
                                  "$function$"},
      FunctionStats{.name = "secret",
                    .label = "function secret(text)",
                    .problem = "it is written in c; only sql and plpgsql functions are rebuilt"}};
  s.views = {
      ViewStats{.name = "emails",
                .query = "SELECT id, email FROM users",
                .reads = {"column users.email", "column users.id"}},
      ViewStats{.name = "email_count",
                .query = "SELECT count(*) AS count FROM emails",
                .materialized = true,
                .reads = {"view emails"}},
      ViewStats{.name = "secrets",
                .query = "SELECT secret(email) FROM users",
                .reads = {"column users.email", "function secret"}},
      ViewStats{.name = "remote", .query = "SELECT 1 FROM other.t", .reads = {"relation other.t"}}};
  s.other_objects = {"function norm(text)",           "function secret(text)", "view emails",
                     "materialized view email_count", "view secrets",          "view remote"};
  return s;
}

bool left_out(const Profile& p, const std::string& object, const std::string& why = "") {
  return std::any_of(p.left_out.begin(), p.left_out.end(), [&](const LeftOut& l) {
    return l.object == object && l.reason.find(why) != std::string::npos;
  });
}

TEST(ObjectWriter, WritesWhatTheMirrorCanBuildAndNamesTheRest) {
  const std::string text = render_profile(objects_snapshot(), ImportOptions{.name = "m"});
  const Profile p = parse_profile(text, "m.yaml");
  const Table& users = *p.find_table("users");
  EXPECT_EQ(users.find_column("email_norm")->generated, "norm(email)") << text;
  EXPECT_TRUE(users.find_column("email_norm")->nullable);
  EXPECT_FALSE(users.find_column("odd")) << "its function is not rebuilt";
  EXPECT_TRUE(left_out(p, "column users.odd", "needs function secret")) << text;
  // The indexes whose function and extension the mirror now gets are kept.
  ASSERT_EQ(users.indexes.size(), 2u) << text;
  EXPECT_EQ(users.indexes[1].definition, "USING btree (norm(email))");
  const Column& user_id = *p.find_table("orders")->find_column("user_id");
  ASSERT_TRUE(user_id.ref);
  EXPECT_EQ(user_id.ref->actions.sql(),
            " ON UPDATE CASCADE ON DELETE SET NULL DEFERRABLE INITIALLY DEFERRED");
  // Only the extensions something needs.
  ASSERT_EQ(p.extensions.size(), 1u) << text;
  EXPECT_EQ(p.extensions[0].name, "pg_trgm");
  ASSERT_EQ(p.functions.size(), 1u);
  EXPECT_EQ(p.functions[0].definition.rfind("CREATE OR REPLACE FUNCTION norm(t text)", 0), 0u);
  EXPECT_TRUE(left_out(p, "function secret(text)", "written in c"));
  ASSERT_EQ(p.views.size(), 2u) << text;
  EXPECT_EQ(p.views[0].name, "emails");
  EXPECT_EQ(p.views[1].name, "email_count");
  EXPECT_TRUE(p.views[1].materialized);
  EXPECT_TRUE(left_out(p, "view secrets", "function secret"));
  EXPECT_TRUE(left_out(p, "view remote", "relation other.t"));
  // What is rebuilt is not also named as left out.
  EXPECT_FALSE(left_out(p, "function norm(text)"));
  EXPECT_FALSE(left_out(p, "view emails"));
}

TEST(ObjectWriter, AViewOfALeftOutViewIsLeftOut) {
  StatsSnapshot s = objects_snapshot();
  s.views[0].reads.push_back("column users.gone");
  const Profile p = parse_profile(render_profile(s, ImportOptions{.name = "m"}), "m.yaml");
  EXPECT_TRUE(p.views.empty());
  EXPECT_TRUE(left_out(p, "view emails", "column users.gone"));
  EXPECT_TRUE(left_out(p, "materialized view email_count", "view emails"));
}

}  // namespace
}  // namespace pgshape
