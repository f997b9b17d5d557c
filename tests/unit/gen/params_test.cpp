// `pgshape params`: load-test parameters that hit the same hot keys as the data.
#include <gtest/gtest.h>

#include <algorithm>
#include <map>
#include <sstream>

#include "test_server.hpp"

namespace pgshape {
namespace {

using testing::run_pgshape;

std::vector<std::string> lines(const std::string& text) {
  std::vector<std::string> out;
  std::istringstream in(text);
  for (std::string line; std::getline(in, line);) out.push_back(line);
  return out;
}

TEST(Params, HotProductsAppearAsOftenAsInTheData) {
  const auto r =
      run_pgshape({"params", "profiles/shop.yaml", "--query", "product_sales", "--count", "20000"});
  ASSERT_EQ(r.exit_code, 0) << r.err;
  const auto rows = lines(r.out);
  ASSERT_EQ(rows.size(), 20001u);
  EXPECT_EQ(rows[0], "order_items.product_id");
  std::map<std::string, int> counts;
  for (size_t i = 1; i < rows.size(); ++i) ++counts[rows[i]];
  std::vector<int> sorted;
  for (const auto& [value, n] : counts) sorted.push_back(n);
  std::sort(sorted.rbegin(), sorted.rend());
  const double top3 = (sorted[0] + sorted[1] + sorted[2]) / 20000.0;
  // The profile gives the three promoted products 60 % of order_items; at 20,000
  // draws the binomial sd is 0.35 points, so +-2 points is a 5-sigma bound.
  EXPECT_NEAR(top3, 0.60, 0.02);
  for (const auto& [value, n] : counts) {
    const long id = std::stol(value);
    EXPECT_GE(id, 1);
    EXPECT_LE(id, 12000) << "product ids exist at the test scale";
  }
}

TEST(Params, SameSeedSameFileAnotherSeedAnotherFile) {
  const std::vector<std::string> args = {
      "params", "profiles/shop.yaml", "--query", "listing", "--count", "500"};
  const auto a = run_pgshape(args);
  const auto b = run_pgshape(args);
  auto other_args = args;
  other_args.insert(other_args.end(), {"--seed", "99"});
  const auto c = run_pgshape(other_args);
  ASSERT_EQ(a.exit_code, 0) << a.err;
  EXPECT_EQ(a.out, b.out);
  EXPECT_NE(a.out, c.out);
}

TEST(Params, UnknownQueryExitsTwoAndListsTheQueries) {
  const auto r = run_pgshape({"params", "profiles/shop.yaml", "--query", "lsting"});
  EXPECT_EQ(r.exit_code, 2);
  EXPECT_NE(r.err.find("no query 'lsting'"), std::string::npos) << r.err;
  EXPECT_NE(r.err.find("listing, customer_orders, product_sales"), std::string::npos) << r.err;
}

}  // namespace
}  // namespace pgshape
