// Partition leaves like production's: a source with a time-RANGE table whose
// recent leaves are bigger (and a DEFAULT leaf), a LIST table with a NULL leaf
// and a DEFAULT, a HASH table, a HASH table keyed by every type load hashes
// itself (NULLs among them, moduli 2 and 4 side by side) and a sub-partitioned
// table (RANGE, then LIST per year) goes through stats + load. On the mirror every partition exists
// at every level with production's bound, each leaf's rows are within 10 % (plus one histogram
// bucket, 1/100 of the table) of the source's, the leaves (every one routed by pgshape) were
// written by COPY FREEZE (all-visible right after the load), ANALYZE left inherited statistics on
// the partitioned relations and their own on the leaves, pruned queries scan the same leaves with
// estimates within 2x, and a load in two shards (appended through the parents, so PostgreSQL
// routes) holds exactly the same rows in every leaf as the unsharded one (routed by pgshape).
#include <gtest/gtest.h>

#include <fmt/format.h>
#include <pqxx/pqxx>

#include <filesystem>
#include <map>
#include <regex>
#include <set>

#include "production_db.hpp"

namespace pgshape {
namespace {

using testing::run_pgshape;
using testing::ScratchDatabase;

constexpr const char* kSchema = "leafy";

void build_source(const std::string& dsn) {
  pqxx::connection conn(dsn);
  pqxx::work tx(conn);
  tx.exec("SELECT setseed(0.17)");
  tx.exec0("CREATE SCHEMA leafy");
  tx.exec0("SET LOCAL search_path TO leafy");
  tx.exec0("SET LOCAL TimeZone TO 'UTC'");
  // Monthly leaves, each bigger than the last, and a DEFAULT for what is later.
  tx.exec0(R"(
    CREATE TABLE metrics (
      id bigint NOT NULL,
      taken_at timestamptz NOT NULL,
      value integer NOT NULL) PARTITION BY RANGE (taken_at))");
  const int sizes[] = {1000, 2000, 3000, 4000, 6000, 8000};
  int64_t next = 1;
  for (int m = 1; m <= 6; ++m) {
    tx.exec0(
        fmt::format("CREATE TABLE metrics_2024_{0:02} PARTITION OF metrics FOR VALUES FROM "
                    "('2024-{0:02}-01 00:00:00+00') TO ('2024-{1:02}-01 00:00:00+00')",
                    m, m + 1));
    tx.exec0(
        fmt::format("INSERT INTO metrics SELECT g, timestamptz '2024-{0:02}-01 00:00:00+00' + "
                    "random() * (timestamptz '2024-{1:02}-01 00:00:00+00' - "
                    "timestamptz '2024-{0:02}-01 00:00:00+00'), floor(random() * 100)::int "
                    "FROM generate_series({2}, {3}) g",
                    m, m + 1, next, next + sizes[m - 1] - 1));
    next += sizes[m - 1];
  }
  tx.exec0("CREATE TABLE metrics_later PARTITION OF metrics DEFAULT");
  tx.exec0(
      fmt::format("INSERT INTO metrics SELECT g, timestamptz '2024-07-01 00:00:00+00' + random() * "
                  "interval '90 days', floor(random() * 100)::int FROM generate_series({}, {}) g",
                  next, next + 499));
  // A LIST per region with a NULL leaf and a DEFAULT for the other regions.
  tx.exec0(R"(
    CREATE TABLE accounts (
      id bigint NOT NULL,
      region text,
      plan text NOT NULL) PARTITION BY LIST (region))");
  tx.exec0("CREATE TABLE accounts_eu PARTITION OF accounts FOR VALUES IN ('eu')");
  tx.exec0("CREATE TABLE accounts_am PARTITION OF accounts FOR VALUES IN ('us', 'ca')");
  tx.exec0("CREATE TABLE accounts_none PARTITION OF accounts FOR VALUES IN (NULL)");
  tx.exec0("CREATE TABLE accounts_rest PARTITION OF accounts DEFAULT");
  tx.exec0(R"(
    INSERT INTO accounts
    SELECT g, (ARRAY['eu', 'eu', 'eu', 'eu', 'us', 'us', 'ca', NULL, 'br', 'in'])
                [1 + floor(random() * 10)::int],
           (ARRAY['free', 'free', 'pro', 'team'])[1 + floor(random() * 4)::int]
    FROM generate_series(1, 10000) g)");
  tx.exec0(R"(
    CREATE TABLE sessions (id bigint NOT NULL, user_id integer NOT NULL)
    PARTITION BY HASH (id))");
  for (int r = 0; r < 3; ++r)
    tx.exec0(
        fmt::format("CREATE TABLE sessions_{0} PARTITION OF sessions FOR VALUES WITH (modulus 3, "
                    "remainder {0})",
                    r));
  tx.exec0(
      "INSERT INTO sessions SELECT g, floor(random() * 500)::int FROM generate_series(1, 6000) g");
  // Sub-partitions: a year's RANGE, then a LIST of carriers within each year.
  tx.exec0(R"(
    CREATE TABLE shipments (
      id bigint NOT NULL,
      shipped_on date NOT NULL,
      carrier text NOT NULL) PARTITION BY RANGE (shipped_on))");
  tx.exec0(
      "CREATE TABLE shipments_2024 PARTITION OF shipments FOR VALUES FROM ('2024-01-01') TO "
      "('2025-01-01') PARTITION BY LIST (carrier)");
  tx.exec0("CREATE TABLE shipments_2024_ups PARTITION OF shipments_2024 FOR VALUES IN ('ups')");
  tx.exec0("CREATE TABLE shipments_2024_fedex PARTITION OF shipments_2024 FOR VALUES IN ('fedex')");
  tx.exec0("CREATE TABLE shipments_2024_rest PARTITION OF shipments_2024 DEFAULT");
  tx.exec0(
      "CREATE TABLE shipments_2025 PARTITION OF shipments FOR VALUES FROM ('2025-01-01') TO "
      "('2026-01-01') PARTITION BY LIST (carrier)");
  tx.exec0("CREATE TABLE shipments_2025_ups PARTITION OF shipments_2025 FOR VALUES IN ('ups')");
  tx.exec0("CREATE TABLE shipments_2025_rest PARTITION OF shipments_2025 DEFAULT");
  tx.exec0(R"(
    INSERT INTO shipments
    SELECT g, date '2024-01-01' + floor(power(random(), 0.6) * 731)::int,
           (ARRAY['ups', 'ups', 'ups', 'fedex', 'fedex', 'dhl'])[1 + floor(random() * 6)::int]
    FROM generate_series(1, 12000) g)");
  tx.exec0(R"(
    CREATE TABLE tokens (
      id bigint NOT NULL, code text, token uuid, day date, at timestamptz, small smallint,
      flag boolean) PARTITION BY HASH (code, token, day, at, small, flag))");
  tx.exec0("CREATE TABLE tokens_0 PARTITION OF tokens FOR VALUES WITH (modulus 2, remainder 0)");
  tx.exec0("CREATE TABLE tokens_1 PARTITION OF tokens FOR VALUES WITH (modulus 4, remainder 1)");
  tx.exec0("CREATE TABLE tokens_3 PARTITION OF tokens FOR VALUES WITH (modulus 4, remainder 3)");
  tx.exec0(R"(
    INSERT INTO tokens
    SELECT g, CASE WHEN random() < 0.1 THEN NULL ELSE 'c' || floor(random() * 1000)::int END,
           CASE WHEN random() < 0.1 THEN NULL ELSE gen_random_uuid() END,
           date '2024-01-01' + floor(random() * 365)::int,
           timestamptz '2024-01-01 00:00:00+00' + random() * interval '365 days',
           floor(random() * 200 - 100)::smallint, random() < 0.3
    FROM generate_series(1, 8000) g)");
  for (const char* table : {"metrics", "accounts", "sessions", "shipments", "tokens"})
    tx.exec0(fmt::format("ANALYZE {}", table));
  tx.commit();
}

struct Part {
  std::string bound;
  bool leaf = false;
  int64_t rows = 0;
  int64_t pages = 0, all_visible = 0;
  bool own_stats = false, inherited_stats = false;
};

// Every partition under `table`, at every level (pg_partition_tree).
std::map<std::string, Part> tree(const std::string& dsn, const std::string& schema,
                                 const std::string& table) {
  pqxx::connection conn(dsn);
  pqxx::work tx(conn);
  tx.exec0("SET LOCAL TimeZone TO 'UTC'");
  std::map<std::string, Part> out;
  for (const auto& row : tx.exec_params(
           "SELECT c.relname::text, coalesce(pg_get_expr(c.relpartbound, c.oid), ''), t.isleaf, "
           "c.relpages, c.relallvisible, "
           "EXISTS (SELECT 1 FROM pg_stats s WHERE s.schemaname = $1 AND s.tablename = c.relname "
           "AND NOT s.inherited), "
           "EXISTS (SELECT 1 FROM pg_stats s WHERE s.schemaname = $1 AND s.tablename = c.relname "
           "AND s.inherited) "
           "FROM pg_partition_tree(($1 || '.' || $2)::regclass) t JOIN pg_class c ON c.oid = "
           "t.relid WHERE t.level > 0",
           schema, table)) {
    Part& p = out[row[0].as<std::string>()];
    p.bound = row[1].as<std::string>();
    p.leaf = row[2].as<bool>();
    p.pages = row[3].as<int64_t>();
    p.all_visible = row[4].as<int64_t>();
    p.own_stats = row[5].as<bool>();
    p.inherited_stats = row[6].as<bool>();
  }
  for (auto& [name, p] : out)
    if (p.leaf)
      p.rows = tx.exec1(fmt::format("SELECT count(*) FROM {}.{}", tx.quote_name(schema),
                                    tx.quote_name(name)))[0]
                   .as<int64_t>();
  return out;
}

std::string leaf_md5(const std::string& dsn, const std::string& schema, const std::string& leaf) {
  pqxx::connection conn(dsn);
  pqxx::work tx(conn);
  return tx
      .exec1(fmt::format("SELECT count(*)::text || ' ' || coalesce(md5(string_agg(t::text, "
                         "E'\\n' ORDER BY t::text)), '') FROM {}.{} t",
                         tx.quote_name(schema), tx.quote_name(leaf)))[0]
      .as<std::string>();
}

struct Plan {
  std::set<std::string> scanned;
  double rows = 0;  // the top node's estimate
};

Plan explain(const std::string& dsn, const std::string& sql) {
  pqxx::connection conn(dsn);
  pqxx::work tx(conn);
  Plan out;
  static const std::regex kOn(R"((?:Seq Scan|Heap Scan|Scan using \S+) on ([a-z0-9_]+))");
  static const std::regex kRows(R"(rows=([0-9]+))");
  bool first = true;
  for (const auto& row : tx.exec("EXPLAIN " + sql)) {
    const std::string line = row[0].as<std::string>();
    std::smatch m;
    if (first && std::regex_search(line, m, kRows)) out.rows = std::stod(m[1].str());
    first = false;
    for (std::sregex_iterator it(line.begin(), line.end(), kOn), end; it != end; ++it)
      out.scanned.insert((*it)[1].str());
  }
  return out;
}

TEST(PartitionLeaves, StatsAndLoadRebuildEveryLeafFrozenRoutedAndAnalyzedLikeProduction) {
  ScratchDatabase production("leaf_prod");
  ScratchDatabase mirror("leaf_mirror");
  build_source(production.dsn());

  const auto dir = std::filesystem::temp_directory_path() / testing::unique_name("leaves");
  std::filesystem::create_directories(dir);
  const std::string profile = (dir / "mirror.yaml").string();
  auto imported = run_pgshape(
      {"stats", "--source", production.dsn(), "--source-schema", kSchema, "-o", profile});
  ASSERT_EQ(imported.exit_code, 0) << imported.err;
  auto validated = run_pgshape({"validate", profile});
  ASSERT_EQ(validated.exit_code, 0) << validated.err << validated.out;
  EXPECT_EQ(validated.out.find("partitioning of table"), std::string::npos) << validated.out;
  EXPECT_EQ(validated.out.find("sub-partitions"), std::string::npos) << validated.out;
  auto loaded = run_pgshape({"load", profile, "--jobs", "2", "--dsn", mirror.dsn()});
  ASSERT_EQ(loaded.exit_code, 0) << loaded.err << "\n" << loaded.out;

  for (const char* table : {"metrics", "accounts", "sessions", "shipments", "tokens"}) {
    const auto source = tree(production.dsn(), kSchema, table);
    const auto copy = tree(mirror.dsn(), kSchema, table);
    ASSERT_FALSE(source.empty()) << table << " has no partitions (test bug)";
    ASSERT_EQ(copy.size(), source.size()) << table;
    // The mirror's key follows the parent's histogram (100 buckets): a leaf
    // bound inside a bucket where density jumps (June's 8000 rows, then July's
    // few) may move up to a bucket's rows across it.
    int64_t table_rows = 0;
    for (const auto& [name, part] : source) table_rows += part.rows;
    const double bucket = static_cast<double>(table_rows) / 100;
    for (const auto& [name, part] : source) {
      auto it = copy.find(name);
      ASSERT_NE(it, copy.end()) << table << ": partition " << name << " missing on the mirror";
      const Part& mine = it->second;
      EXPECT_EQ(mine.bound, part.bound) << name;
      EXPECT_EQ(mine.leaf, part.leaf) << name;
      if (!part.leaf) {
        EXPECT_TRUE(mine.inherited_stats) << name << ": no inherited statistics";
        continue;
      }
      EXPECT_NEAR(static_cast<double>(mine.rows), static_cast<double>(part.rows),
                  0.10 * static_cast<double>(part.rows) + bucket)
          << name;
      EXPECT_TRUE(mine.own_stats) << name << ": ANALYZE left the leaf without statistics";
      // COPY FREEZE marks every page all-visible as it writes it; through the
      // parent no page is until a VACUUM. Since PostgreSQL 16 its bulk extension
      // leaves empty pages at the end, which the load's VACUUM truncates.
      if (mine.pages > 0) {
        EXPECT_EQ(mine.all_visible, mine.pages) << name;
      }
      std::printf("%-22s %-60s source %6lld mirror %6lld\n", name.c_str(), part.bound.c_str(),
                  static_cast<long long>(part.rows), static_cast<long long>(mine.rows));
    }
  }

  for (const char* sql :
       {"SELECT * FROM leafy.metrics WHERE taken_at >= '2024-05-01 00:00:00+00' AND taken_at < "
        "'2024-06-01 00:00:00+00'",
        "SELECT * FROM leafy.metrics WHERE taken_at >= '2024-08-01 00:00:00+00'",
        "SELECT * FROM leafy.accounts WHERE region = 'eu'",
        "SELECT * FROM leafy.accounts WHERE region IS NULL",
        "SELECT * FROM leafy.accounts WHERE region = 'br'",
        "SELECT * FROM leafy.sessions WHERE id = 42",
        "SELECT * FROM leafy.shipments WHERE shipped_on >= '2024-03-01' AND shipped_on < "
        "'2024-04-01' AND carrier = 'ups'",
        "SELECT * FROM leafy.shipments WHERE shipped_on >= '2025-01-01' AND carrier = 'dhl'"}) {
    const Plan on_source = explain(production.dsn(), sql);
    const Plan on_mirror = explain(mirror.dsn(), sql);
    EXPECT_EQ(on_mirror.scanned, on_source.scanned) << sql;
    EXPECT_LE(on_source.scanned.size(), 1u) << sql;
    EXPECT_GE(on_mirror.rows, on_source.rows / 2) << sql;
    EXPECT_LE(on_mirror.rows, on_source.rows * 2) << sql;
    std::printf("%s\n  -> %s, rows %.0f (source %.0f)\n", sql,
                fmt::format("{}", fmt::join(on_source.scanned, ", ")).c_str(), on_mirror.rows,
                on_source.rows);
  }

  // The same rows in two shards appended through the parents (PostgreSQL
  // routes them) as in the load above (pgshape routed them): leaf by leaf.
  const std::string sharded = "leafy_sharded";
  for (const std::vector<std::string>& step : {std::vector<std::string>{"--prepare"},
                                               {"--shard", "2/2"},
                                               {"--shard", "1/2"},
                                               {"--finish"}}) {
    std::vector<std::string> args = {"load", profile, "--dsn", mirror.dsn(), "--schema", sharded};
    args.insert(args.end(), step.begin(), step.end());
    auto r = run_pgshape(args);
    ASSERT_EQ(r.exit_code, 0) << step[0] << ": " << r.err << "\n" << r.out;
  }
  for (const char* table : {"metrics", "accounts", "sessions", "shipments", "tokens"})
    for (const auto& [name, part] : tree(mirror.dsn(), kSchema, table))
      if (part.leaf) {
        EXPECT_EQ(leaf_md5(mirror.dsn(), sharded, name), leaf_md5(mirror.dsn(), kSchema, name))
            << name;
      }
  std::filesystem::remove_all(dir);
}

}  // namespace
}  // namespace pgshape
