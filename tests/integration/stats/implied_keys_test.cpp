// A tenant-scoped table with two foreign keys over one column, the pattern of
// multi-tenant schemas: orders.tenant_id -> tenants (id) and (tenant_id, user_id)
// -> users (tenant_id, id). The mirror used to keep the first and drop the second
// ("multi-column, to a table or key not imported"), so 3,747 of 6,000 rows of the
// help desk fixture's "Order" had no user. Now the pair is generated through the
// multi-column key and the one-column key is kept as a constraint the rows hold
// by construction (users.tenant_id is a NOT NULL key to tenants). And a
// one-column `foreign_keys:` entry nothing implies is refused, exit 2.
#include <gtest/gtest.h>

#include <filesystem>
#include <fstream>

#include "catalog_objects.hpp"
#include "production_db.hpp"

namespace pgshape {
namespace {

using testing::run_pgshape;
using testing::ScratchDatabase;

TEST(ImpliedKeys, TenantKeyBesideACompositeKeyBothKeptNoOrphan) {
  ScratchDatabase production("implied_prod");
  ScratchDatabase mirror("implied_mirror");
  {
    pqxx::connection conn(production.dsn());
    pqxx::work tx(conn);
    tx.exec("SELECT setseed(0.31)");
    tx.exec0(R"(
      CREATE SCHEMA app;
      CREATE TABLE app.tenants (id integer PRIMARY KEY, name text NOT NULL);
      INSERT INTO app.tenants SELECT g, 't' || g FROM generate_series(1, 50) g;
      CREATE TABLE app.users (
        tenant_id integer NOT NULL REFERENCES app.tenants (id),
        id integer NOT NULL, PRIMARY KEY (tenant_id, id));
      INSERT INTO app.users
      SELECT t, row_number() OVER (PARTITION BY t ORDER BY g)::int
      FROM (SELECT g, 1 + floor(50 * power(random(), 3))::int AS t
            FROM generate_series(1, 3000) g) s;
      CREATE TABLE app.orders (
        id bigint PRIMARY KEY,
        tenant_id integer NOT NULL REFERENCES app.tenants (id) ON DELETE CASCADE,
        user_id integer NOT NULL,
        FOREIGN KEY (tenant_id, user_id) REFERENCES app.users (tenant_id, id));
      INSERT INTO app.orders SELECT g, u.tenant_id, u.id
      FROM generate_series(1, 8000) g
      JOIN (SELECT tenant_id, id, row_number() OVER (ORDER BY tenant_id, id) AS r
            FROM app.users) u ON u.r = 1 + (g * 7919) % 3000;
      ANALYZE;)");
    tx.commit();
  }
  const auto dir = std::filesystem::temp_directory_path() / testing::unique_name("implied");
  std::filesystem::create_directories(dir);
  const std::string profile = (dir / "app.yaml").string();
  auto imported =
      run_pgshape({"stats", "--source", production.dsn(), "--source-schema", "app", "-o", profile});
  ASSERT_EQ(imported.exit_code, 0) << imported.err;
  EXPECT_EQ(imported.err.find("foreign key orders."), std::string::npos)
      << "a key of orders is left out:\n"
      << imported.err;
  auto loaded = run_pgshape({"load", profile, "--dsn", mirror.dsn()});
  ASSERT_EQ(loaded.exit_code, 0) << loaded.err << loaded.out;

  const auto source = testing::catalog_objects(production.dsn(), "app");
  const auto copy = testing::catalog_objects(mirror.dsn(), "app");
  for (const char* key : {"constraint orders.orders_tenant_id_fkey",
                          "constraint orders.orders_tenant_id_user_id_fkey"}) {
    ASSERT_TRUE(source.count(key)) << key;
    EXPECT_TRUE(copy.count(key) && copy.at(key) == source.at(key))
        << key << "\n  source: " << source.at(key)
        << "\n  mirror: " << (copy.count(key) ? copy.at(key) : "(missing)");
  }
  pqxx::connection conn(mirror.dsn());
  pqxx::read_transaction tx(conn);
  EXPECT_EQ(tx.exec1("SELECT count(*) FROM app.orders o WHERE NOT EXISTS (SELECT FROM app.users "
                     "u WHERE u.tenant_id = o.tenant_id AND u.id = o.user_id)")[0]
                .as<long>(),
            0);
  EXPECT_EQ(tx.exec1("SELECT count(*) FROM app.orders")[0].as<long>(), 8000);
  std::filesystem::remove_all(dir);
}

TEST(ImpliedKeys, AOneColumnEntryNothingImpliesIsRefused) {
  const auto dir = std::filesystem::temp_directory_path() / testing::unique_name("implied_bad");
  std::filesystem::create_directories(dir);
  const std::string profile = (dir / "bad.yaml").string();
  std::ofstream(profile) << R"yaml(name: bad
seed: 1
scales: { s: 10 }
tables:
  tenants:
    rows: 1x
    columns:
      id: { type: integer, primary_key: true, dist: sequence }
  orders:
    rows: 1x
    foreign_keys:
      - {columns: [tenant_id], ref: "tenants(id)"
}
    columns:
      id: { type: bigint, primary_key: true, dist: sequence }
      tenant_id: { type: integer, dist: uniform, min: 1, max: 10 }
)yaml";
  auto validated = run_pgshape({"validate", profile});
  EXPECT_EQ(validated.exit_code, 2) << validated.out << validated.err;
  EXPECT_NE(validated.err.find("bad.yaml:12:9: "), std::string::npos) << validated.err;
  EXPECT_NE(validated.err.find("nothing makes the rows hold it"), std::string::npos)
      << validated.err;
  std::filesystem::remove_all(dir);
}

}  // namespace
}  // namespace pgshape
