// Loading into a schema pgshape did not create, as a stats-made profile of a
// production `public` does: an empty one is adopted (filled in place, so its
// OID, owner, ACL and comment stay), a second load replaces only what the first
// moved in, and a schema holding anything else — a user's table before the first
// load or after it — is refused with the objects named and nothing changed, as
// is a reload whose drop would reach a view in another schema. Each test has a
// database of its own, with PostgreSQL's own public schema.
#include <gtest/gtest.h>

#include <filesystem>

#include "../stats/production_db.hpp"
#include "load_test_support.hpp"

namespace pgshape {
namespace {

constexpr const char* kProfile = R"yaml(name: adopt
schema: public
scales: {test: 300}
types:
  mood: {enum: [sad, ok, happy]}
functions:
  - name: norm
    definition: |
      CREATE OR REPLACE FUNCTION norm(t text)
       RETURNS text
       LANGUAGE sql
       IMMUTABLE
      AS $function$SELECT lower(t) $function$
views:
  - {name: happy_users, query: "SELECT u.id FROM users u WHERE u.mood = 'happy'"}
tables:
  users:
    rows: 1x
    columns:
      id: {type: bigint, primary_key: true}
      email: {type: text, dist: pattern, pattern: "User####@Example.org"}
      mood: {type: mood, dist: weighted, values: {sad: 1, ok: 2, happy: 3}}
    indexes:
      - {name: users_norm, definition: "USING btree (norm(email))"}
  events:
    rows: 2x
    partition_by: RANGE (n)
    partitions:
      - {name: events_low, bound: "FOR VALUES FROM (0) TO (50)"}
      - {name: events_high, bound: "FOR VALUES FROM (50) TO (100)"}
    columns:
      id: {type: bigint}
      user_id: {type: bigint, ref: users.id}
      n: {type: integer, dist: uniform, min: 0, max: 99}
)yaml";

// What makes a schema itself, apart from its contents.
struct Identity {
  std::string oid, owner, acl, comment;
  bool operator==(const Identity&) const = default;
};

std::ostream& operator<<(std::ostream& out, const Identity& i) {
  return out << "oid " << i.oid << ", owner " << i.owner << ", acl " << i.acl << ", comment '"
             << i.comment << "'";
}

class Adopt : public testing::LoadFixture {
 protected:
  void SetUp() override { write_profile(kProfile); }

  testing::CommandResult load(std::vector<std::string> extra = {}) {
    std::vector<std::string> args = {"load", profile_, "--dsn", db_.dsn(), "-q"};
    args.insert(args.end(), extra.begin(), extra.end());
    return testing::run_pgshape(args);
  }
  void sql(const std::string& text) {
    pqxx::connection c(db_.dsn());
    pqxx::work tx(c);
    tx.exec0(text);
    tx.commit();
  }
  std::string one(const std::string& query) {
    pqxx::connection c(db_.dsn());
    pqxx::read_transaction tx(c);
    const auto field = tx.exec1(query)[0];
    return field.is_null() ? "NULL" : field.as<std::string>();
  }
  Identity identity(const std::string& schema = "public") {
    pqxx::connection c(db_.dsn());
    pqxx::read_transaction tx(c);
    const auto row = tx.exec_params1(
        "SELECT oid::text, nspowner::regrole::text, coalesce(nspacl::text, 'NULL'), "
        "coalesce(obj_description(oid, 'pg_namespace'), 'NULL') FROM pg_namespace "
        "WHERE nspname = $1",
        schema);
    return {row[0].as<std::string>(), row[1].as<std::string>(), row[2].as<std::string>(),
            row[3].as<std::string>()};
  }
  std::string md5(const std::string& table) {
    pqxx::connection c(db_.dsn());
    return table_md5(c, "public", table);
  }
  std::string schemas() {
    return one(
        "SELECT string_agg(nspname, ',' ORDER BY nspname) FROM pg_namespace "
        "WHERE nspname NOT LIKE 'pg\\_%' AND nspname <> 'information_schema'");
  }

  testing::ScratchDatabase db_{"adopt"};
};

TEST_F(Adopt, AnEmptyPublicIsFilledInPlaceAndASecondLoadReplacesOnlyPgshapesObjects) {
  const Identity before = identity();
  // PostgreSQL 15's own public: the database owner's role, USAGE for everyone.
  ASSERT_EQ(before.owner, "pg_database_owner");
  ASSERT_EQ(before.comment, "standard public schema");

  auto first = load();
  ASSERT_EQ(first.exit_code, 0) << first.err;
  EXPECT_EQ(identity(), before);
  EXPECT_EQ(schemas(), "public");
  EXPECT_EQ(one("SELECT count(*) FROM public.users"), "300");
  EXPECT_EQ(one("SELECT count(*) FROM public.events"), "600");
  EXPECT_EQ(one("SELECT count(*) FROM public.events_low") + "+" +
                one("SELECT count(*) FROM public.events_high"),
            one("SELECT count(*) FILTER (WHERE n < 50) FROM public.events") + "+" +
                one("SELECT count(*) FILTER (WHERE n >= 50) FROM public.events"));
  EXPECT_EQ(one("SELECT count(*) FROM public.happy_users"),
            one("SELECT count(*) FROM public.users WHERE mood = 'happy'"));
  EXPECT_EQ(one("SELECT public.norm('AbC')"), "abc");
  // Every part came along: the key, the expression index, the foreign key.
  EXPECT_EQ(one("SELECT string_agg(indexrelid::regclass::text, ',' ORDER BY "
                "indexrelid::regclass::text) FROM pg_index "
                "WHERE indrelid = 'public.users'::regclass"),
            "users_norm,users_pkey");
  EXPECT_EQ(one("SELECT count(*) FROM pg_constraint WHERE contype = 'f' AND "
                "conrelid = 'public.events'::regclass"),
            "1");
  EXPECT_EQ(one("SELECT left(obj_description('public.users'::regclass, 'pg_class'), 8)"),
            "pgshape:");
  const std::string users_oid = one("SELECT 'public.users'::regclass::oid::text");
  const std::string users_md5 = md5("users");

  auto second = load({"--seed", "7"});
  ASSERT_EQ(second.exit_code, 0) << second.err;
  EXPECT_EQ(identity(), before);
  EXPECT_EQ(schemas(), "public");
  EXPECT_NE(one("SELECT 'public.users'::regclass::oid::text"), users_oid) << "not reloaded";
  EXPECT_NE(md5("users"), users_md5) << "another seed, the same rows";
  EXPECT_EQ(one("SELECT count(*) FROM public.events"), "600");
  EXPECT_EQ(one("SELECT count(*) FROM pg_type WHERE typnamespace = 'public'::regnamespace "
                "AND typname = 'mood'"),
            "1");
}

TEST_F(Adopt, APublicHoldingAUsersTableIsRefusedAndLeftAsItWas) {
  sql("CREATE TABLE public.notes (id int PRIMARY KEY, body text); "
      "INSERT INTO public.notes SELECT g, 'note ' || g FROM generate_series(1, 5) g");
  const Identity before = identity();
  const std::string notes = md5("notes");
  auto r = load();
  EXPECT_EQ(r.exit_code, 2) << r.err;
  EXPECT_NE(
      r.err.find("schema 'public' exists and was not created by pgshape; refusing to load into it "
                 "while it holds 1 object"),
      std::string::npos)
      << r.err;
  EXPECT_NE(r.err.find("table notes"), std::string::npos) << r.err;
  EXPECT_NE(r.err.find("--force"), std::string::npos) << r.err;
  EXPECT_EQ(identity(), before);
  EXPECT_EQ(md5("notes"), notes);
  EXPECT_EQ(schemas(), "public");
  EXPECT_EQ(one("SELECT to_regclass('public.users')::text"), "NULL");
}

TEST_F(Adopt, AUsersObjectPutIntoAnAdoptedPublicStopsTheNextLoad) {
  ASSERT_EQ(load().exit_code, 0);
  const std::string users = md5("users");
  // A table, and a statistics object on pgshape's own table: both the user's.
  for (const char* setup :
       {"CREATE TABLE public.mine (x int); INSERT INTO public.mine VALUES (1), (2)",
        "CREATE STATISTICS public.my_stats ON id, mood FROM public.users"}) {
    SCOPED_TRACE(setup);
    sql(setup);
    auto r = load({"--seed", "9"});
    EXPECT_EQ(r.exit_code, 2) << r.err;
    EXPECT_NE(r.err.find(std::string(setup).find("mine") != std::string::npos
                             ? "table mine"
                             : "statistics object my_stats"),
              std::string::npos)
        << r.err;
    EXPECT_EQ(md5("users"), users);
    EXPECT_EQ(schemas(), "public");
  }
  EXPECT_EQ(one("SELECT string_agg(x::text, ',' ORDER BY x) FROM public.mine"), "1,2");
  sql("DROP TABLE public.mine; DROP STATISTICS public.my_stats");
  auto again = load({"--seed", "9"});
  EXPECT_EQ(again.exit_code, 0) << again.err;
  EXPECT_NE(md5("users"), users);
}

TEST_F(Adopt, AViewInAnotherSchemaOnAnAdoptedTableStopsTheReload) {
  ASSERT_EQ(load().exit_code, 0);
  const std::string users = md5("users");
  sql("CREATE SCHEMA reports; CREATE VIEW reports.v AS SELECT id FROM public.users");
  for (bool force : {false, true}) {
    auto r = load(force ? std::vector<std::string>{"--force"} : std::vector<std::string>{});
    EXPECT_EQ(r.exit_code, 2) << r.err;
    EXPECT_NE(r.err.find("view reports.v"), std::string::npos) << r.err;
    EXPECT_EQ(md5("users"), users);
    EXPECT_EQ(one("SELECT count(*) FROM reports.v"), "300");
  }
}

TEST_F(Adopt, RefreshIntoAnAdoptedPublicKeepsThePreviousDatasetBeside) {
  testing::ScratchDatabase production("adopt_prod");
  testing::build_production(production.dsn(), 0.5);
  const std::string nightly = (dir_ / "nightly.yaml").string();
  const auto refresh = [&] {
    return testing::run_pgshape({"refresh", nightly, "--source", production.dsn(), "--dsn",
                                 db_.dsn(), "--schema", "public", "-q"});
  };
  const Identity before = identity();
  auto first = refresh();
  ASSERT_EQ(first.exit_code, 0) << first.err;
  EXPECT_EQ(identity(), before);
  const std::string orders = one("SELECT count(*) FROM public.orders");
  EXPECT_NE(orders, "0");
  const std::string orders_oid = one("SELECT 'public.orders'::regclass::oid::text");

  auto second = refresh();
  ASSERT_EQ(second.exit_code, 0) << second.err;
  EXPECT_EQ(identity(), before);
  EXPECT_EQ(schemas(), "public,public_previous");
  // The first dataset, whole, beside the new one.
  EXPECT_EQ(one("SELECT 'public_previous.orders'::regclass::oid::text"), orders_oid);
  EXPECT_EQ(one("SELECT count(*) FROM public_previous.orders"), orders);
  EXPECT_EQ(one("SELECT count(*) FROM public.orders"), orders);
  EXPECT_EQ(one("SELECT left(obj_description('public_previous'::regnamespace, 'pg_namespace'), "
                "8)"),
            "pgshape:");
}

}  // namespace
}  // namespace pgshape
