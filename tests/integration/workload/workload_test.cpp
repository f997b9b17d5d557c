// Load-test parameters and the pgbench workload against the shop loaded at
// `test` scale on a real server: the parameters carry the data's skew and exist
// in it, pgbench's traffic reaches the promoted products in their share, and
// the campaign-burst driver runs its stages and reports percentiles.
#include <gtest/gtest.h>
#include <nlohmann/json.hpp>
#include <pqxx/pqxx>

#include <algorithm>
#include <cstdio>
#include <filesystem>
#include <fstream>
#include <map>
#include <set>
#include <sstream>

#include "load/sql.hpp"
#include "test_server.hpp"

namespace pgshape {
namespace {

namespace fs = std::filesystem;
using testing::run_command;
using testing::run_pgshape;
using testing::test_dsn;
using testing::unique_name;

// The share of the promoted products, as the profile declares it (hotset share 0.6).
constexpr double kHotShare = 0.60;

std::vector<std::vector<std::string>> read_tsv(const fs::path& path) {
  std::ifstream in(path);
  std::vector<std::vector<std::string>> rows;
  std::string line;
  while (std::getline(in, line)) {
    std::vector<std::string> fields;
    std::stringstream stream(line);
    std::string field;
    while (std::getline(stream, field, '\t')) fields.push_back(field);
    rows.push_back(std::move(fields));
  }
  return rows;
}

class Workload : public ::testing::Test {
 protected:
  void SetUp() override {
    schema_ = unique_name("workload");
    dir_ = fs::temp_directory_path() / unique_name("pgshape_workload");
    auto load = run_pgshape({"load", "profiles/shop.yaml", "--scale", "test", "--dsn", test_dsn(),
                             "--schema", schema_, "-q"});
    ASSERT_EQ(load.exit_code, 0) << load.err;
  }
  void TearDown() override {
    pqxx::connection c(test_dsn());
    pqxx::nontransaction tx(c);
    tx.exec0("DROP SCHEMA IF EXISTS " + quote_ident(schema_) + " CASCADE");
    fs::remove_all(dir_);
  }

  testing::CommandResult write_workload(const std::vector<std::string>& extra = {}) {
    std::vector<std::string> args = {"workload", "profiles/shop.yaml", "--scale",
                                     "test",     "--schema",           schema_,
                                     "--out",    dir_.string(),        "-q"};
    args.insert(args.end(), extra.begin(), extra.end());
    return run_pgshape(args);
  }
  testing::CommandResult run_driver(const std::vector<std::string>& args) {
    std::vector<std::string> argv = {"bash", (dir_ / "run.sh").string(), "--dsn", test_dsn()};
    argv.insert(argv.end(), args.begin(), args.end());
    return run_command(argv, dir_.string());
  }
  std::map<int64_t, int64_t> stock() {
    pqxx::connection c(test_dsn());
    pqxx::nontransaction tx(c);
    std::map<int64_t, int64_t> out;
    for (const auto& row : tx.exec("SELECT id, stock FROM " + qualified(schema_, "products")))
      out[row[0].as<int64_t>()] = row[1].as<int64_t>();
    return out;
  }
  // The promoted products: the three most ordered.
  std::set<int64_t> hot_products() {
    pqxx::connection c(test_dsn());
    pqxx::nontransaction tx(c);
    std::set<int64_t> out;
    for (const auto& row : tx.exec("SELECT product_id FROM " + qualified(schema_, "order_items") +
                                   " GROUP BY 1 ORDER BY count(*) DESC LIMIT 3"))
      out.insert(row[0].as<int64_t>());
    return out;
  }

  std::string schema_;
  fs::path dir_;
};

TEST_F(Workload, ProductParametersCarryThePromotedShareAndExistInTheData) {
  auto csv = run_pgshape({"params", "profiles/shop.yaml", "--scale", "test", "--query",
                          "product_detail", "--count", "10000", "--format", "csv"});
  ASSERT_EQ(csv.exit_code, 0) << csv.err;
  std::stringstream lines(csv.out);
  std::string line;
  std::getline(lines, line);
  EXPECT_EQ(line, "order_items.product_id");
  std::vector<int64_t> values;
  while (std::getline(lines, line)) values.push_back(std::stoll(line));
  ASSERT_EQ(values.size(), 10000u);

  std::map<int64_t, int64_t> counts;
  for (int64_t v : values) ++counts[v];
  std::vector<std::pair<int64_t, int64_t>> by_count(counts.begin(), counts.end());
  std::sort(by_count.begin(), by_count.end(),
            [](const auto& a, const auto& b) { return a.second > b.second; });
  std::set<int64_t> top3;
  int64_t top3_count = 0;
  for (size_t i = 0; i < 3; ++i) top3.insert(by_count[i].first), top3_count += by_count[i].second;
  // 10,000 draws of a 60 % share: one standard deviation is 0.5 %, so ±3 % is 6σ.
  EXPECT_NEAR(static_cast<double>(top3_count) / 10000.0, kHotShare, 0.03);
  EXPECT_EQ(top3, hot_products()) << "the parameters' top 3 are the data's promoted products";

  pqxx::connection c(test_dsn());
  pqxx::nontransaction tx(c);
  std::string array = "{";
  for (size_t i = 0; i < values.size(); ++i) {
    if (i) array += ',';
    array += std::to_string(values[i]);
  }
  array += "}";
  EXPECT_EQ(tx.exec_params1("SELECT count(*) FROM unnest($1::bigint[]) v WHERE NOT EXISTS "
                            "(SELECT 1 FROM " +
                                qualified(schema_, "products") + " p WHERE p.id = v)",
                            array)[0]
                .as<int64_t>(),
            0);

  // JSON for k6: the same draw, numbers for an integer column.
  auto json = run_pgshape({"params", "profiles/shop.yaml", "--scale", "test", "--query",
                           "product_detail", "--count", "10000", "--format", "json"});
  ASSERT_EQ(json.exit_code, 0) << json.err;
  const auto rows = nlohmann::json::parse(json.out);
  ASSERT_EQ(rows.size(), values.size());
  for (size_t i = 0; i < values.size(); ++i)
    ASSERT_EQ(rows[i].at("order_items.product_id").get<int64_t>(), values[i]) << i;
}

TEST_F(Workload, PgbenchTrafficReachesThePromotedProductsInTheirShare) {
  auto written = write_workload();
  ASSERT_EQ(written.exit_code, 0) << written.err;
  std::ofstream(dir_ / "steady.tsv") << "steady\t150\t150\t8\n";
  const auto before = stock();

  auto run = run_driver({"--mix", "browse_to_cart", "--stages", (dir_ / "steady.tsv").string(),
                         "--clients", "4", "--logs", (dir_ / "logs").string()});
  ASSERT_EQ(run.exit_code, 0) << run.out << run.err;
  const auto summary = read_tsv(dir_ / "logs" / "summary.tsv");
  ASSERT_EQ(summary.size(), 2u);
  const int64_t transactions = std::stoll(summary[1].at(4));
  ASSERT_GT(transactions, 300) << run.out;

  // Every journey ends in add_to_cart, which takes one unit of its product's
  // stock: the stock the products lost is the traffic each received.
  const auto after = stock();
  const std::set<int64_t> hot = hot_products();
  int64_t taken = 0, taken_hot = 0;
  for (const auto& [id, units] : before) {
    const int64_t lost = units - after.at(id);
    ASSERT_GE(lost, 0);
    taken += lost;
    if (hot.count(id)) taken_hot += lost;
  }
  EXPECT_EQ(taken, transactions) << "one add_to_cart per journey";
  std::printf("promoted products' share of %lld journeys: %.2f %%\n", static_cast<long long>(taken),
              100.0 * static_cast<double>(taken_hot) / static_cast<double>(taken));
  // n >= 300 journeys of a 60 % share: σ <= 2.9 % (binomial) plus the
  // parameter draw's 0.5 %; ±5 % is the tolerance.
  EXPECT_NEAR(static_cast<double>(taken_hot) / static_cast<double>(taken), kHotShare, 0.05)
      << taken_hot << " of " << taken;

  // The parameter tables are gone again; the data schema is untouched.
  pqxx::connection c(test_dsn());
  pqxx::nontransaction tx(c);
  EXPECT_TRUE(tx.exec_params1("SELECT to_regclass($1) IS NULL",
                              "pgshape_workload." + schema_ + "__browse_to_cart")[0]
                  .as<bool>());
}

// The issue's `pgbench -n -f scripts/listing.sql`: a script alone, with no
// search_path from run.sh (PGOPTIONS unset), after setup.sql loaded its parameters.
TEST_F(Workload, AScriptRunsAloneWithPgbench) {
  auto written = write_workload();
  ASSERT_EQ(written.exit_code, 0) << written.err;
  const std::map<std::string, std::string> plain = {{"PGOPTIONS", ""}};
  auto setup = run_command(
      {"psql", "-X", "-q", "-v", "ON_ERROR_STOP=1", "-d", test_dsn(), "-f", "setup.sql"},
      dir_.string(), plain);
  ASSERT_EQ(setup.exit_code, 0) << setup.err;
  for (const std::string script : {"listing", "browse_to_cart"}) {
    auto bench =
        run_command({"pgbench", "-n", "-t", "20", "-f", "scripts/" + script + ".sql", test_dsn()},
                    dir_.string(), plain);
    EXPECT_EQ(bench.exit_code, 0) << script << ":\n" << bench.err << bench.out;
    EXPECT_NE(bench.out.find("number of transactions actually processed: 20/20"), std::string::npos)
        << bench.out;
  }
  auto teardown = run_command({"psql", "-X", "-q", "-d", test_dsn(), "-f", "teardown.sql"},
                              dir_.string(), plain);
  EXPECT_EQ(teardown.exit_code, 0) << teardown.err;
}

TEST_F(Workload, CampaignBurstScaledDownRunsEveryStageAndReportsPercentiles) {
  auto written = write_workload();
  ASSERT_EQ(written.exit_code, 0) << written.err;
  // The incident's 16.5-minute burst at a twentieth of its length and a quarter
  // of its rate: 2 s at 2.5 tx/s, a 5 s ramp to 200, 30 s at 100, 15 s at 25.
  auto run = run_driver({"--time-factor", "0.05", "--rate-factor", "0.25", "--clients", "8",
                         "--logs", (dir_ / "logs").string()});
  ASSERT_EQ(run.exit_code, 0) << run.out << run.err;
  const auto summary = read_tsv(dir_ / "logs" / "summary.tsv");
  ASSERT_EQ(summary.size(), 5u);
  const std::vector<std::string> stages = {"baseline", "email_blast", "peak", "evening"};
  double seconds = 0;
  for (size_t i = 0; i < stages.size(); ++i) {
    const auto& row = summary[i + 1];
    ASSERT_EQ(row.size(), 10u);
    EXPECT_EQ(row[0], stages[i]);
    seconds += std::stod(row[3]);
    EXPECT_GT(std::stoll(row[4]), 0) << stages[i];
    const double p50 = std::stod(row[6]), p95 = std::stod(row[7]), p99 = std::stod(row[8]),
                 max = std::stod(row[9]);
    EXPECT_GT(p50, 0) << stages[i];
    EXPECT_LE(p50, p95) << stages[i];
    EXPECT_LE(p95, p99) << stages[i];
    EXPECT_LE(p99, max) << stages[i];
    EXPECT_NE(run.out.find(stages[i]), std::string::npos);
  }
  EXPECT_EQ(std::stod(summary[2][2]), 200);  // the ramp's target: 800 tx/s x 0.25
  EXPECT_LE(seconds, 60) << "a twentieth of 990 s, each stage rounded to whole seconds";
  EXPECT_NE(run.out.find("p95 ms"), std::string::npos) << run.out;
}

TEST_F(Workload, DriverRefusesDataLoadedWithAnotherSeed) {
  auto written = write_workload({"--seed", "7"});
  ASSERT_EQ(written.exit_code, 0) << written.err;
  auto run = run_driver({"--factor", "0.01"});
  EXPECT_EQ(run.exit_code, 1) << run.out << run.err;
  EXPECT_NE(run.err.find("are not in the database"), std::string::npos) << run.err;
  EXPECT_NE(run.err.find("--seed 7"), std::string::npos) << run.err;
}

TEST_F(Workload, DriverRefusesAMissingSchemaAndBadOptions) {
  auto written = run_pgshape(
      {"workload", "profiles/shop.yaml", "--schema", "no_such_schema", "--out", dir_.string()});
  ASSERT_EQ(written.exit_code, 0) << written.err;
  auto run = run_driver({"--factor", "0.01"});
  EXPECT_EQ(run.exit_code, 1);
  EXPECT_NE(run.err.find("does not exist: load the data first"), std::string::npos) << run.err;

  for (const std::vector<std::string>& bad : {std::vector<std::string>{"--factor", "-1"},
                                              {"--clients", "0"},
                                              {"--mix", "nope"},
                                              {"--stages", "/nonexistent"},
                                              {"--bogus"}}) {
    auto r = run_driver(bad);
    EXPECT_EQ(r.exit_code, 2) << bad[0] << ": " << r.err;
    EXPECT_NE(r.err.find("run.sh: "), std::string::npos) << r.err;
  }
}

TEST(WorkloadCommand, RefusesAnUnknownScaleAndAProfileWithoutQueries) {
  const fs::path dir = fs::temp_directory_path() / unique_name("pgshape_workload_cli");
  auto r =
      run_pgshape({"workload", "profiles/shop.yaml", "--scale", "huge", "--out", dir.string()});
  EXPECT_EQ(r.exit_code, 2);
  EXPECT_NE(r.err.find("unknown scale point 'huge'"), std::string::npos) << r.err;

  const fs::path profile = fs::temp_directory_path() / (unique_name("noqueries") + ".yaml");
  std::ofstream(profile) << "name: t\nscales: { s: 10 }\ntables:\n  a:\n    rows: 10\n"
                            "    columns:\n      id: { type: bigint, primary_key: true }\n";
  r = run_pgshape({"workload", profile.string(), "--out", dir.string()});
  EXPECT_EQ(r.exit_code, 2);
  EXPECT_NE(r.err.find("declares no queries"), std::string::npos) << r.err;
  fs::remove(profile);
  fs::remove_all(dir);
}

}  // namespace
}  // namespace pgshape
