// The shop profile loaded at `test` scale into a real PostgreSQL, checked the
// way a user would check it: row counts, foreign keys, the promoted products'
// share, the category skew, and byte-identical data for any --jobs.
#include <gtest/gtest.h>
#include <nlohmann/json.hpp>
#include <pqxx/pqxx>

#include <cmath>
#include <cstdio>
#include <map>

#include "load/sql.hpp"
#include "test_server.hpp"

namespace pgshape {
namespace {

using testing::run_pgshape;
using testing::test_dsn;
using testing::unique_name;

// md5 of every table's rows in key order: equal digests mean equal contents.
std::map<std::string, std::string> table_digests(pqxx::connection& c, const std::string& schema) {
  std::map<std::string, std::string> out;
  pqxx::nontransaction tx(c);
  for (const char* table : {"categories", "products", "customers", "orders", "order_items"}) {
    out[table] = tx.exec1("SELECT md5(string_agg(t::text, E'\\n' ORDER BY t.id)) FROM " +
                          qualified(schema, table) + " t")[0]
                     .as<std::string>();
  }
  return out;
}

nlohmann::json load_shop(const std::string& schema, const std::vector<std::string>& extra = {}) {
  std::vector<std::string> args = {"load",     "profiles/shop.yaml", "--scale", "test",  "--dsn",
                                   test_dsn(), "--schema",           schema,    "--json"};
  args.insert(args.end(), extra.begin(), extra.end());
  auto result = run_pgshape(args);
  EXPECT_EQ(result.exit_code, 0) << result.err;
  return nlohmann::json::parse(result.out);
}

class ShopLoad : public ::testing::Test {
 protected:
  static void SetUpTestSuite() {
    schema_ = new std::string(unique_name("shop_load"));
    summary_ = new nlohmann::json(load_shop(*schema_));
  }
  static void TearDownTestSuite() {
    pqxx::connection c(test_dsn());
    pqxx::nontransaction tx(c);
    tx.exec0("DROP SCHEMA IF EXISTS " + quote_ident(*schema_) + " CASCADE");
    delete schema_;
    delete summary_;
  }
  int64_t scalar(const std::string& query) {
    pqxx::connection c(test_dsn());
    pqxx::nontransaction tx(c);
    tx.exec0("SET search_path TO " + quote_ident(*schema_));
    return tx.exec1(query)[0].as<int64_t>();
  }
  static std::string* schema_;
  static nlohmann::json* summary_;
};
std::string* ShopLoad::schema_ = nullptr;
nlohmann::json* ShopLoad::summary_ = nullptr;

TEST_F(ShopLoad, EveryTableHasExactlyItsDeclaredRowCount) {
  const std::map<std::string, int64_t> expected = {{"categories", 800},
                                                   {"products", 12000},
                                                   {"customers", 9000},
                                                   {"orders", 36000},
                                                   {"order_items", 108000}};
  for (const auto& [table, rows] : expected) {
    EXPECT_EQ(scalar("SELECT count(*) FROM " + quote_ident(table)), rows) << table;
  }
  ASSERT_EQ((*summary_)["tables"].size(), expected.size());
  for (const auto& t : (*summary_)["tables"]) {
    EXPECT_EQ(t["rows"].get<int64_t>(), expected.at(t["table"].get<std::string>()));
    EXPECT_GT(t["rows_per_second"].get<double>(), 0);
  }
}

TEST_F(ShopLoad, ForeignKeysAreEnforcedAndNoRowIsOrphaned) {
  EXPECT_EQ(scalar("SELECT count(*) FROM products p LEFT JOIN categories c ON c.id = "
                   "p.category_id WHERE c.id IS NULL"),
            0);
  EXPECT_EQ(scalar("SELECT count(*) FROM orders o LEFT JOIN customers c ON c.id = o.customer_id "
                   "WHERE c.id IS NULL"),
            0);
  EXPECT_EQ(scalar("SELECT count(*) FROM order_items i LEFT JOIN orders o ON o.id = i.order_id "
                   "WHERE o.id IS NULL"),
            0);
  EXPECT_EQ(scalar("SELECT count(*) FROM order_items i LEFT JOIN products p ON p.id = "
                   "i.product_id WHERE p.id IS NULL"),
            0);
  // The constraints themselves exist and were validated, so the planner may use them.
  EXPECT_EQ(scalar("SELECT count(*) FROM pg_catalog.pg_constraint con JOIN pg_catalog.pg_namespace "
                   "n ON n.oid = con.connamespace WHERE n.nspname = current_schema() AND "
                   "con.contype = 'f' AND con.convalidated"),
            4);
  EXPECT_EQ(scalar("SELECT count(*) FROM pg_catalog.pg_constraint con JOIN pg_catalog.pg_namespace "
                   "n ON n.oid = con.connamespace WHERE n.nspname = current_schema() AND "
                   "con.contype = 'p'"),
            5);
}

TEST_F(ShopLoad, ThreePromotedProductsTakeSixtyPercentOfItems) {
  const int64_t top3 = scalar(
      "SELECT sum(n) FROM (SELECT count(*) n FROM order_items GROUP BY product_id "
      "ORDER BY n DESC LIMIT 3) t");
  const double share = static_cast<double>(top3) / 108000.0;
  // Declared 60 %; the tolerance is +-2 points (the sampling sd at 108K
  // items is 0.15 points, so this bound is loose on purpose, not on luck).
  EXPECT_NEAR(share, 0.60, 0.02);
  // The hot products are spread over the id space, not simply ids 1, 2, 3.
  EXPECT_GT(scalar("SELECT max(product_id) FROM (SELECT product_id, count(*) n FROM order_items "
                   "GROUP BY product_id ORDER BY n DESC LIMIT 3) t"),
            3);
  // The copied price is the parent's price for every item.
  EXPECT_EQ(scalar("SELECT count(*) FROM order_items i JOIN products p ON p.id = i.product_id "
                   "WHERE i.price IS DISTINCT FROM p.price"),
            0);
}

TEST_F(ShopLoad, CategorySizesFollowTheDeclaredZipf) {
  // Zipf(s = 1) over 800 categories: the largest holds 1 / H(800) of the products.
  double harmonic = 0;
  for (int k = 800; k >= 1; --k) harmonic += 1.0 / k;
  const double expected = 1.0 / harmonic;  // ~13.8 %
  const double largest =
      static_cast<double>(
          scalar("SELECT max(n) FROM (SELECT count(*) n FROM products GROUP BY category_id) t")) /
      12000.0;
  // Within 10 % of its expectation (the bound; binomial sd is ~2.3 % relative).
  EXPECT_NEAR(largest, expected, 0.10 * expected);
  // And skew, not uniformity: the 80 largest categories (10 %) hold most products.
  const int64_t head = scalar(
      "SELECT sum(n) FROM (SELECT count(*) n FROM products GROUP BY category_id "
      "ORDER BY n DESC LIMIT 80) t");
  EXPECT_GT(static_cast<double>(head) / 12000.0, 0.6);
}

TEST_F(ShopLoad, FlagsAndTimestampsHaveTheirDeclaredShape) {
  const double active = static_cast<double>(scalar("SELECT count(*) FROM products WHERE active"));
  const double featured =
      static_cast<double>(scalar("SELECT count(*) FROM products WHERE featured"));
  // Binomial sd at n = 12000: 0.23 points for p = 0.93, 0.13 points for p = 0.02; 4 sd bounds.
  EXPECT_NEAR(active / 12000.0, 0.93, 0.0093);
  EXPECT_NEAR(featured / 12000.0, 0.02, 0.0052);
  // Orders get newer as ids grow.
  pqxx::connection c(test_dsn());
  pqxx::nontransaction tx(c);
  const double correlation = tx.exec1("SELECT corr(id, extract(epoch FROM created_at)) FROM " +
                                      qualified(*schema_, "orders"))[0]
                                 .as<double>();
  EXPECT_GT(correlation, 0.99);
}

TEST_F(ShopLoad, OldCategoriesHoldOldProducts) {
  // created_at given category_id (issue 16.4): categories 1..600 hold products made
  // before 2020 only, 601..800 from 2020 on; both cases are inside the column's range.
  EXPECT_EQ(scalar("SELECT count(*) FROM products WHERE category_id <= 600 AND "
                   "created_at >= '2020-01-01 00:00:01+00'"),
            0);
  EXPECT_EQ(scalar("SELECT count(*) FROM products WHERE category_id > 600 AND "
                   "created_at < '2020-01-01+00'"),
            0);
  EXPECT_GT(scalar("SELECT count(*) FROM products WHERE category_id <= 600"), 6000);
  EXPECT_GT(scalar("SELECT count(*) FROM products WHERE category_id > 600"), 1000);
  // Within a case the dates still spread: 2017..2019 each hold a share of the old ones.
  EXPECT_EQ(scalar("SELECT count(DISTINCT extract(year FROM created_at AT TIME ZONE 'UTC')) "
                   "FROM products WHERE category_id <= 600"),
            3);
}

TEST_F(ShopLoad, OrderItemsAreStoredByOrder) {
  // cluster: parent (issue 16.3): an order's items lie right after each other in
  // order of orders, as production inserts them, so ANALYZE sees order_id follow
  // the heap; shuffled it would be ~0 (sd ~0.003 at 30K sampled rows).
  pqxx::connection c(test_dsn());
  pqxx::nontransaction tx(c);
  const auto row = tx.exec_params1(
      "SELECT correlation FROM pg_catalog.pg_stats WHERE schemaname = $1 AND "
      "tablename = 'order_items' AND attname = 'order_id'",
      *schema_);
  ASSERT_FALSE(row[0].is_null());
  std::printf("order_items.order_id correlation %.4f\n", row[0].as<double>());
  EXPECT_GT(row[0].as<double>(), 0.9);
  // Items per order have a mean of 3 (9x items over 3x orders): every order is used.
  EXPECT_EQ(scalar("SELECT count(DISTINCT order_id) FROM order_items"), 36000);
  EXPECT_EQ(scalar("SELECT count(*) FROM (SELECT order_id FROM order_items GROUP BY order_id "
                   "HAVING count(*) > 10) t"),
            0);
  // Stored by order: the heap's block numbers never go back as order_id grows
  // by more than the few pages an order's items can straddle.
  EXPECT_EQ(scalar("SELECT count(*) FROM (SELECT order_id, (ctid::text::point)[0] AS blk, "
                   "lag((ctid::text::point)[0]) OVER (ORDER BY order_id, ctid) AS prev "
                   "FROM order_items) t WHERE blk < prev"),
            0);
}

TEST(ShopDeterminism, SameSeedGivesIdenticalTablesForAnyJobsAndAnotherSeedDoesNot) {
  const std::string one = unique_name("shop_jobs1");
  const std::string two = unique_name("shop_jobs2");
  const std::string other = unique_name("shop_seed");
  load_shop(one, {"--jobs", "1"});
  load_shop(two, {"--jobs", "2"});
  load_shop(other, {"--jobs", "2", "--seed", "7"});
  pqxx::connection c(test_dsn());
  const auto a = table_digests(c, one);
  const auto b = table_digests(c, two);
  const auto d = table_digests(c, other);
  EXPECT_EQ(a, b);
  // Every table has a generated column, so another seed changes every table.
  for (const auto& [table, digest] : a) EXPECT_NE(digest, d.at(table)) << table;
  pqxx::nontransaction tx(c);
  for (const auto& s : {one, two, other}) tx.exec0("DROP SCHEMA " + quote_ident(s) + " CASCADE");
}

TEST(ShopLoadUsage, UnknownScaleExitsTwoAndNamesTheScales) {
  auto result = run_pgshape({"load", "profiles/shop.yaml", "--scale", "prod", "--dsn", test_dsn(),
                             "--schema", unique_name("shop_bad_scale")});
  EXPECT_EQ(result.exit_code, 2);
  EXPECT_NE(result.err.find("unknown scale point 'prod'"), std::string::npos) << result.err;
  EXPECT_NE(result.err.find("test, production"), std::string::npos) << result.err;
}

}  // namespace
}  // namespace pgshape
