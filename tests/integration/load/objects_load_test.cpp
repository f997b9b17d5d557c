// A profile's generated columns, foreign-key actions, extension, function and
// views on a real server: the load declares the generated columns and the
// server computes them (text and binary COPY alike, and generate's files leave
// them out), the keys' pg_get_constraintdef says what the profile says, the
// function and views live in the loaded schema, and a reload replaces them
// while the extension, which pgshape did not create in the schema, stays. Each
// test has a database of its own: the extension outlives the load by design.
#include <gtest/gtest.h>

#include <fmt/format.h>
#include <algorithm>
#include <fstream>
#include <sstream>

#include "../stats/production_db.hpp"
#include "load_test_support.hpp"

namespace pgshape {
namespace {

using testing::test_dsn;

constexpr const char* kProfile = R"yaml(name: objects
scales: {test: 400}
extensions: [pg_trgm]
functions:
  - name: norm
    definition: |
      CREATE OR REPLACE FUNCTION norm(t text)
       RETURNS text
       LANGUAGE sql
       IMMUTABLE
      AS $function$SELECT lower(t) $function$
views:
  - {name: paid_users, query: "SELECT u.id, u.email_norm FROM users u WHERE u.id % 2 = 0"}
  - {name: user_count, materialized: true, query: "SELECT count(*) AS n FROM paid_users"}
tables:
  users:
    rows: 1x
    columns:
      id: {type: bigint, primary_key: true}
      email: {type: text, dist: pattern, pattern: "User####@Example.org"}
      email_norm: {type: text, generated: "norm(email)"}
      email_len: {type: integer, generated: "length(email)", nullable: true}
    indexes:
      - {name: users_norm, definition: "USING btree (norm(email))"}
      - {name: users_trgm, definition: "USING gin (email gin_trgm_ops)"}
  orders:
    rows: 3x
    columns:
      id: {type: bigint, primary_key: true}
      user_id: {type: bigint, ref: users.id, on_delete: cascade, on_update: restrict,
                deferrable: true, initially_deferred: true}
      n: {type: integer, dist: uniform, min: 1, max: 3}
)yaml";

class ObjectsLoad : public testing::LoadFixture {
 protected:
  std::string constraint(pqxx::connection& c, const std::string& schema, const char* name) {
    pqxx::work tx(c);
    return tx
        .exec_params1(
            "SELECT pg_get_constraintdef(k.oid) FROM pg_constraint k JOIN pg_namespace "
            "n ON n.oid = k.connamespace WHERE n.nspname = $1 AND k.conname = $2",
            schema, std::string(name))[0]
        .as<std::string>();
  }
};

TEST_F(ObjectsLoad, GeneratedColumnsActionsFunctionsAndViewsAreBuilt) {
  testing::ScratchDatabase db("objects_load");
  write_profile(kProfile);
  const std::string target = schema("objects");
  for (const char* copy : {"text", "binary"}) {
    SCOPED_TRACE(copy);
    const auto r = testing::run_pgshape(
        {"load", profile_, "--schema", target, "--dsn", db.dsn(), "--copy-format", copy, "-q"});
    ASSERT_EQ(r.exit_code, 0) << r.err;
    pqxx::connection c(db.dsn());
    pqxx::work tx(c);
    const std::string s = c.quote_name(target);
    // The server computed every generated value from the generated email.
    EXPECT_EQ(tx.exec1(fmt::format("SELECT count(*) FROM {}.users WHERE email_norm IS DISTINCT "
                                   "FROM lower(email) OR email_len IS DISTINCT FROM "
                                   "length(email)",
                                   s))[0]
                  .as<int64_t>(),
              0);
    EXPECT_EQ(tx.exec1(fmt::format("SELECT count(*) FROM {}.users", s))[0].as<int64_t>(), 400);
    EXPECT_EQ(tx.exec_params1("SELECT attgenerated::text FROM pg_attribute WHERE attrelid = "
                              "($1 || '.users')::regclass AND attname = 'email_norm'",
                              s)[0]
                  .as<std::string>(),
              "s");
    // The function is the loaded schema's own, and the view reads the loaded tables.
    EXPECT_EQ(tx.exec_params1("SELECT count(*) FROM pg_proc p JOIN pg_namespace n ON n.oid = "
                              "p.pronamespace WHERE n.nspname = $1 AND p.proname = 'norm'",
                              target)[0]
                  .as<int64_t>(),
              1);
    EXPECT_EQ(tx.exec1(fmt::format("SELECT n FROM {}.user_count", s))[0].as<int64_t>(),
              tx.exec1(fmt::format("SELECT count(*) FROM {}.users WHERE id % 2 = 0", s))[0]
                  .as<int64_t>());
    tx.commit();
    EXPECT_EQ(constraint(c, target, "orders_user_id_fkey"),
              "FOREIGN KEY (user_id) REFERENCES " + target +
                  ".users(id) ON UPDATE RESTRICT ON DELETE CASCADE DEFERRABLE INITIALLY DEFERRED");
  }
  // The reload replaced the schema's objects; the extension, outside it, stayed.
  pqxx::connection c(db.dsn());
  pqxx::work tx(c);
  EXPECT_EQ(tx.exec1("SELECT count(*) FROM pg_extension WHERE extname = 'pg_trgm'")[0].as<int>(),
            1);
  EXPECT_EQ(tx.exec1("SELECT n.nspname::text FROM pg_extension x JOIN pg_namespace n ON "
                     "n.oid = x.extnamespace WHERE x.extname = 'pg_trgm'")[0]
                .as<std::string>()
                .find("objects"),
            std::string::npos);
}

TEST_F(ObjectsLoad, GeneratedColumnsAreLeftOutOfGeneratedFilesAndDryRunCopies) {
  write_profile(kProfile);
  const auto dry = testing::run_pgshape({"load", profile_, "--dry-run", "-q"});
  ASSERT_EQ(dry.exit_code, 0) << dry.err;
  EXPECT_NE(dry.out.find("COPY \"objects_staging\".\"users\" (\"id\", \"email\") FROM STDIN"),
            std::string::npos)
      << dry.out;
  EXPECT_NE(dry.out.find("CREATE EXTENSION IF NOT EXISTS \"pg_trgm\""), std::string::npos);
  EXPECT_NE(dry.out.find("CREATE OR REPLACE FUNCTION norm(t text)"), std::string::npos);
  EXPECT_NE(dry.out.find("CREATE MATERIALIZED VIEW \"objects_staging\".\"user_count\""),
            std::string::npos);
  const auto out = dir_ / "files";
  pgshape({"generate", profile_, "--format", "csv", "-o", out.string()});
  std::ifstream users(out / "users.csv");
  std::string line;
  ASSERT_TRUE(std::getline(users, line)) << "no users.csv in " << out;
  EXPECT_EQ(std::count(line.begin(), line.end(), ','), 1) << line;
}

TEST_F(ObjectsLoad, AnExtensionTheServerLacksIsRefusedWithTheTargetUntouched) {
  testing::ScratchDatabase db("objects_noext");
  std::string text = kProfile;
  text.replace(text.find("[pg_trgm]"), 9, "[pg_trgm, no_such_ext_pgshape]");
  write_profile(text);
  const std::string target = schema("objects_noext");
  const auto r = testing::run_pgshape({"load", profile_, "--schema", target, "--dsn", db.dsn()});
  EXPECT_EQ(r.exit_code, 2) << r.err;
  EXPECT_NE(r.err.find("no_such_ext_pgshape"), std::string::npos) << r.err;
  pqxx::connection c(db.dsn());
  pqxx::work tx(c);
  EXPECT_TRUE(tx.exec_params("SELECT 1 FROM pg_namespace WHERE nspname = $1", target).empty());
}

}  // namespace
}  // namespace pgshape
