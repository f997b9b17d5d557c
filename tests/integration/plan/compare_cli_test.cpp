// `pgshape compare` end to end: capture dirs are made with the capture API on a real
// server (a hand-built table and queries, no profile needed), then the binary is run.
#include <gtest/gtest.h>

#include <cstdlib>
#include <filesystem>
#include <fstream>
#include <pqxx/pqxx>

#include "pgshape/plan.hpp"
#include "picks.hpp"
#include "test_server.hpp"

namespace pgshape {
namespace {

namespace fs = std::filesystem;
using testing::run_pgshape;
using testing::test_dsn;
using testing::unique_name;

class CompareCliTest : public ::testing::Test {
 protected:
  // One capture dir per experiment label (baseline, no_index_scans, noop) of the same
  // table, so compare sees "with/without an experiment" as two directories.
  static void SetUpTestSuite() {
    root_ = new fs::path(fs::temp_directory_path() / unique_name("compare_cli"));
    std::string schema = unique_name("compare_cli");
    pqxx::connection conn(test_dsn());
    std::string s = conn.quote_name(schema);
    {
      pqxx::work tx(conn);
      tx.exec("CREATE SCHEMA " + s);
      tx.exec("CREATE TABLE " + s +
              ".orders (id bigint PRIMARY KEY, customer_id int NOT NULL, "
              "total numeric(10,2) NOT NULL)");
      tx.exec("INSERT INTO " + s +
              ".orders SELECT g, (g * 7919) % 5000, g % 1000 "
              "FROM generate_series(1, 50000) g");
      tx.exec("CREATE INDEX orders_customer_idx ON " + s + ".orders (customer_id)");
      tx.exec("ANALYZE " + s + ".orders");
      tx.commit();
    }
    Query by_customer;
    by_customer.name = "orders_of_customer";
    by_customer.sql = "SELECT id, total FROM orders WHERE customer_id = $1";
    by_customer.params = {{"orders", "customer_id", testing::picks({"most_common", "rare"}), {}}};
    Query totals;
    totals.name = "big_orders";
    totals.sql = "SELECT count(*) FROM orders WHERE total > $1";
    totals.params = {{"orders", "total", testing::picks({"literal:990"}), {}}};
    auto exp = [](std::string name, std::string sql) {
      Experiment e;
      e.name = std::move(name);
      e.sql = std::move(sql);
      return e;
    };
    ScaleContext ctx{schema, "small", table_row_counts(conn, schema)};
    auto caps = capture_scale(conn, ctx, {by_customer, totals},
                              {exp("no_index_scans",
                                   "SET enable_indexscan = off; "
                                   "SET enable_bitmapscan = off"),
                               exp("noop", "SET work_mem = '5MB'")},
                              CaptureOptions{.runs = 2});
    for (std::string label : {"baseline", "no_index_scans", "noop"}) {
      CaptureSet set;
      set.meta.profile = "compare-cli-test";
      set.meta.scales = {{"small", ctx.table_rows}};
      for (const auto& c : caps) {
        if (c.experiment == label) set.captures.push_back(c);
      }
      write_capture_dir((*root_ / label).string(), set);
    }
    pqxx::work tx(conn);
    tx.exec("DROP SCHEMA " + s + " CASCADE");
    tx.commit();
  }
  static void TearDownTestSuite() {
    fs::remove_all(*root_);
    delete root_;
  }
  static std::string dir(const std::string& label) { return (*root_ / label).string(); }

  static fs::path* root_;
};
fs::path* CompareCliTest::root_ = nullptr;

TEST_F(CompareCliTest, ForcedPlanChangeTripsTheShapeGate) {
  // COLUMNS=200: wide enough that the plan column is not cut.
  auto r = run_pgshape({"compare", dir("baseline"), dir("no_index_scans"), "--fail-on",
                        "shape-change", "--out", dir("out_forced")},
                       {{"COLUMNS", "200"}});
  EXPECT_EQ(r.exit_code, 3) << r.out << r.err;
  // The findings name the new plan, and the table marks the pair as a plan change.
  EXPECT_NE(r.out.find("the plan now reads all of orders"), std::string::npos) << r.out;
  EXPECT_NE(r.out.find("regression+plan"), std::string::npos) << r.out;
  EXPECT_NE(r.out.find("Seq Scan on orders"), std::string::npos) << r.out;
  EXPECT_NE(r.err.find("shape-change"), std::string::npos) << r.err;
}

TEST_F(CompareCliTest, ExperimentThatChangesNothingExitsZero) {
  auto r = run_pgshape({"compare", dir("baseline"), dir("noop"), "--fail-on",
                        "shape-change,index-change", "--out", dir("out_noop")});
  EXPECT_EQ(r.exit_code, 0) << r.out << r.err;
  EXPECT_EQ(r.out.find("shape-change"), std::string::npos) << r.out;
}

TEST_F(CompareCliTest, CaptureComparedWithItselfReportsNoChange) {
  auto r = run_pgshape({"compare", dir("baseline"), dir("baseline"), "--fail-on",
                        "shape-change,index-change,regression,estimate", "--json", "--out",
                        dir("out_self")});
  EXPECT_EQ(r.exit_code, 0) << r.out << r.err;
  EXPECT_NE(r.out.find("\"verdict\": []"), std::string::npos) << r.out;
}

TEST_F(CompareCliTest, HtmlReportIsWellFormedAndNamesEveryQuery) {
  auto r =
      run_pgshape({"compare", dir("baseline"), dir("no_index_scans"), "--out", dir("out_html")});
  ASSERT_EQ(r.exit_code, 0) << r.err;  // no --fail-on: changes are reported, not gated
  std::string html_path = dir("out_html") + "/report.html";
  ASSERT_TRUE(fs::exists(html_path));
  EXPECT_TRUE(fs::exists(dir("out_html") + "/report.md"));
  EXPECT_EQ(std::system(("xmllint --noout '" + html_path + "'").c_str()), 0);
  std::ifstream f(html_path);
  std::string html((std::istreambuf_iterator<char>(f)), std::istreambuf_iterator<char>());
  EXPECT_NE(html.find("orders_of_customer"), std::string::npos);
  EXPECT_NE(html.find("big_orders"), std::string::npos);
}

TEST_F(CompareCliTest, DefaultOutputGoesBesideDirB) {
  auto r = run_pgshape({"compare", dir("baseline"), dir("noop")});
  EXPECT_EQ(r.exit_code, 0) << r.err;
  EXPECT_TRUE(fs::exists(dir("noop") + "/compare-baseline/report.html")) << r.out;
}

TEST_F(CompareCliTest, BadUsageExitsTwo) {
  auto unknown = run_pgshape({"compare", dir("baseline"), dir("noop"), "--fail-on", "slower"});
  EXPECT_EQ(unknown.exit_code, 2);
  EXPECT_NE(unknown.err.find("slower"), std::string::npos) << unknown.err;
  auto missing = run_pgshape({"compare", dir("baseline"), dir("does_not_exist")});
  EXPECT_EQ(missing.exit_code, 2);
  EXPECT_NE(missing.err.find("does_not_exist"), std::string::npos) << missing.err;
}

}  // namespace
}  // namespace pgshape
