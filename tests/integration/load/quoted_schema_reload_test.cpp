// A reload into a schema whose name must be quoted ("help-desk", "Sales"): the
// guard against DROP SCHEMA ... CASCADE reaching outside the schema compares
// pg_identify_object's schema, which PostgreSQL prints quoted, with the schema's
// name. Unquoted, every object of such a schema looked like it lived outside it,
// and a second `pgshape load` of a mirror made from one was refused (exit 2,
// "would drop or alter 41 objects outside it"). The guard must still see a real
// outside dependent.
#include <gtest/gtest.h>

#include <filesystem>
#include <fstream>
#include <pqxx/pqxx>
#include <string>

#include "test_server.hpp"

namespace pgshape {
namespace {

using testing::run_pgshape;
using testing::test_dsn;

constexpr const char* kProfile = R"(name: quoted
seed: 3
scales: { s: 50 }
types:
  tier: {enum: [free, team, pro]}
tables:
  accounts:
    rows: 1x
    columns:
      id: { type: integer, primary_key: true, identity: always, dist: sequence }
      tier: { type: tier, dist: weighted, values: {free: 0.8, team: 0.15, pro: 0.05} }
  seats:
    rows: 3x
    columns:
      id: { type: bigint, primary_key: true, dist: sequence }
      account_id: { type: integer, ref: accounts.id, dist: zipf, s: 1.1 }
)";

class QuotedSchemaReload : public ::testing::TestWithParam<const char*> {};

TEST_P(QuotedSchemaReload, ReloadsAndStillRefusesAnOutsideDependent) {
  const std::string schema = GetParam() + testing::unique_name("");  // keeps its case
  const std::string other = testing::unique_name("quoted_other");
  const auto dir = std::filesystem::temp_directory_path() / testing::unique_name("quoted");
  std::filesystem::create_directories(dir);
  const std::string profile = (dir / "p.yaml").string();
  std::ofstream(profile) << kProfile;
  pqxx::connection conn(test_dsn());
  pqxx::nontransaction tx(conn);
  const std::string q = tx.quote_name(schema);

  auto load = [&] {
    return run_pgshape({"load", profile, "--schema", schema, "--dsn", test_dsn()});
  };
  auto first = load();
  ASSERT_EQ(first.exit_code, 0) << first.err;
  auto second = load();
  EXPECT_EQ(second.exit_code, 0) << second.err;
  EXPECT_EQ(tx.exec1("SELECT count(*) FROM " + q + ".seats")[0].as<long>(), 150);

  // A view in another schema over the mirror: replacing the schema would drop
  // it, so the reload is refused and the view named.
  tx.exec0("CREATE SCHEMA " + tx.quote_name(other));
  tx.exec0("CREATE VIEW " + tx.quote_name(other) + ".pro AS SELECT id FROM " + q +
           ".accounts WHERE tier = 'pro'");
  auto third = load();
  EXPECT_EQ(third.exit_code, 2) << third.err;
  EXPECT_NE(third.err.find("view " + other + ".pro"), std::string::npos) << third.err;
  EXPECT_EQ(third.err.find("accounts (depends"), std::string::npos)
      << "an object inside the schema is named as outside it:\n"
      << third.err;

  tx.exec0("DROP SCHEMA " + tx.quote_name(other) + " CASCADE");
  tx.exec0("DROP SCHEMA IF EXISTS " + q + " CASCADE");
  std::filesystem::remove_all(dir);
}

INSTANTIATE_TEST_SUITE_P(Names, QuotedSchemaReload,
                         ::testing::Values("help-desk", "Sales", "with space"));

}  // namespace
}  // namespace pgshape
