// What `pgshape workload` writes for the shop, read the way pgbench and the
// driver read it: one script per query and transaction, shared variables
// within a journey, parameter files of the requested size, the same bytes for
// the same seed.
#include <gtest/gtest.h>

#include <algorithm>
#include <filesystem>
#include <fstream>
#include <sstream>

#include "pgshape/profile.hpp"
#include "pgshape/workload.hpp"
#include "test_server.hpp"

namespace pgshape {
namespace {

namespace fs = std::filesystem;

size_t occurrences(const std::string& text, const std::string& what) {
  size_t n = 0;
  for (size_t at = text.find(what); at != std::string::npos; at = text.find(what, at + 1)) ++n;
  return n;
}

class WorkloadFiles : public ::testing::Test {
 protected:
  void SetUp() override {
    profile_ = load_profile(std::string(PGSHAPE_SOURCE_DIR) + "/profiles/shop.yaml");
    dir_ = fs::temp_directory_path() / testing::unique_name("workload_files");
  }
  void TearDown() override { fs::remove_all(dir_); }
  std::vector<WorkloadScript> write(const fs::path& out, uint64_t seed) {
    return write_workload(profile_,
                          {.scale = "test", .schema = "", .seed = seed, .count = 500, .out = out});
  }
  Profile profile_;
  fs::path dir_;
};

TEST_F(WorkloadFiles, OneScriptPerQueryAndTransactionWithTheirWeights) {
  const auto scripts = write(dir_, 1);
  ASSERT_EQ(scripts.size(), profile_.queries.size() + profile_.transactions.size());
  for (const auto& s : scripts) {
    EXPECT_TRUE(fs::is_regular_file(dir_ / "scripts" / (s.file_stem + ".sql"))) << s.name;
    EXPECT_EQ(occurrences(testing::read_all(dir_ / "params" / (s.file_stem + ".csv")), "\n"), 501u)
        << s.name;
  }
  const std::string index = testing::read_all(dir_ / "scripts.tsv");
  EXPECT_NE(index.find("browse_to_cart\ttransaction\t9\t"), std::string::npos) << index;
  EXPECT_NE(index.find("order_history\ttransaction\t1\t"), std::string::npos) << index;
  EXPECT_TRUE(fs::status(dir_ / "run.sh").permissions() != fs::perms::none);
  EXPECT_EQ(testing::read_all(dir_ / "run.sh").rfind("#!/usr/bin/env bash\n", 0), 0u);
}

TEST_F(WorkloadFiles, AJourneyOpensAndBuysTheSameProduct) {
  write(dir_, 1);
  const std::string script = testing::read_all(dir_ / "scripts" / "browse_to_cart.sql");
  // One lookup sets both variables; product_detail and add_to_cart share one.
  EXPECT_NE(script.find("SELECT p_products_category_id, p_order_items_product_id FROM "
                        "\"pgshape_workload\".\"shop__browse_to_cart\" WHERE n = :pgshape_row "
                        "\\gset"),
            std::string::npos)
      << script;
  EXPECT_EQ(occurrences(script, ":p_order_items_product_id"), 2u) << script;
  EXPECT_EQ(occurrences(script, ":p_products_category_id"), 1u) << script;
  EXPECT_LT(script.find("BEGIN;"), script.find("-- listing"));
  EXPECT_LT(script.find("-- add_to_cart"), script.find("COMMIT;"));
  EXPECT_EQ(testing::read_all(dir_ / "params" / "browse_to_cart.csv")
                .rfind("n,p_products_category_id,p_order_items_product_id\n1,", 0),
            0u);
}

TEST_F(WorkloadFiles, SameSeedSameParametersAnotherSeedOthers) {
  write(dir_ / "a", 1);
  write(dir_ / "b", 1);
  write(dir_ / "c", 2);
  const std::string a = testing::read_all(dir_ / "a" / "params" / "browse_to_cart.csv");
  EXPECT_EQ(a, testing::read_all(dir_ / "b" / "params" / "browse_to_cart.csv"));
  EXPECT_NE(a, testing::read_all(dir_ / "c" / "params" / "browse_to_cart.csv"));
}

TEST_F(WorkloadFiles, TheDriverSetsTheDataSchemaAsSearchPath) {
  write_workload(profile_,
                 {.scale = "test", .schema = "my shop", .seed = 1, .count = 10, .out = dir_});
  const std::string conf = testing::read_all(dir_ / "workload.conf");
  EXPECT_NE(conf.find("SEARCH_PATH_OPTION='-c search_path=\"my\\ shop\"'"), std::string::npos)
      << conf;
  EXPECT_NE(testing::read_all(dir_ / "checks.sql").find("\"my shop\".\"order_items\""),
            std::string::npos);
}

// Each script also sets it, so one runs alone with pgbench (the integration
// test runs it): before any query, outside the transaction it may open.
TEST_F(WorkloadFiles, EachScriptSetsTheDataSchemaItself) {
  write_workload(profile_,
                 {.scale = "test", .schema = "my shop", .seed = 1, .count = 10, .out = dir_});
  for (const auto& entry : std::filesystem::directory_iterator(dir_ / "scripts")) {
    const std::string script = testing::read_all(entry.path());
    const size_t set = script.find("\nSET search_path = \"my shop\";\n");
    ASSERT_NE(set, std::string::npos) << entry.path() << ":\n" << script;
    EXPECT_LT(set, std::min(script.find("\nSELECT"), script.find("\nBEGIN;"))) << script;
  }
}

TEST(WorkloadNames, ANameOnTwoLinesStaysInsideTheScriptsComment) {
  const Profile profile = parse_profile(
      "name: t\nscales: { s: 10 }\ntables:\n  a:\n    rows: 10\n    columns:\n"
      "      id: { type: bigint, primary_key: true }\n"
      "queries:\n  - name: \"two\\nlines\"\n    sql: SELECT * FROM a WHERE id = $1\n"
      "    params: [{ column: a.id }]\n",
      "t.yaml");
  const fs::path dir = fs::temp_directory_path() / testing::unique_name("workload_names");
  write_workload(profile, {.scale = "s", .schema = "", .seed = 1, .count = 5, .out = dir});
  const std::string script = testing::read_all(dir / "scripts" / "two_lines.sql");
  fs::remove_all(dir);
  EXPECT_EQ(script.find("-- pgshape workload: query two lines (two lines)"), 0u) << script;
  // comment, search_path's comment and SET, \set, lookup, the query
  EXPECT_EQ(occurrences(script, "\n"), 6u) << script;
}

}  // namespace
}  // namespace pgshape
