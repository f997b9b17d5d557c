// A bad profile is refused before pgshape touches the database: `load` of
// fixtures from the bad-profile catalogue exits 2 and creates no schema.
#include <gtest/gtest.h>
#include <pqxx/pqxx>

#include <string>

#include "test_server.hpp"

namespace pgshape {
namespace {

const std::string kBadDir = std::string(PGSHAPE_SOURCE_DIR) + "/tests/fixtures/bad";

bool schema_exists(const std::string& schema) {
  pqxx::connection conn(testing::test_dsn());
  pqxx::nontransaction tx(conn);
  return tx
      .exec_params1("SELECT EXISTS (SELECT 1 FROM pg_catalog.pg_namespace WHERE nspname = $1)",
                    schema)[0]
      .as<bool>();
}

TEST(BadCatalogueDatabase, LoadOfABadProfileCreatesNoSchema) {
  for (const std::string fixture :
       {"fk_cycle.yaml", "zipf_s_zero.yaml", "yaml_tab_indent.yaml", "name_too_long_table.yaml",
        "weights_sum_zero.yaml", "not_utf8.yaml"}) {
    SCOPED_TRACE(fixture);
    const std::string schema = testing::unique_name("bad");
    const auto result = testing::run_pgshape(
        {"load", kBadDir + "/" + fixture, "--dsn", testing::test_dsn(), "--schema", schema});
    EXPECT_EQ(result.exit_code, 2) << result.err;
    EXPECT_FALSE(schema_exists(schema));
    EXPECT_FALSE(schema_exists(schema + "_staging"));
    EXPECT_FALSE(schema_exists("bad")) << "the profile's own schema name";
  }
}

}  // namespace
}  // namespace pgshape
