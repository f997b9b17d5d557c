// Partitioned tables round-trip through stats + load: a source with a RANGE
// (with a DEFAULT leaf), a LIST and a HASH partitioned table is imported and
// loaded; the mirror has the same leaves with the same bounds
// (pg_get_expr(relpartbound)), rows per leaf within 10 % of the source, and a
// query with a partition-key predicate prunes to the same leaves on both sides.
#include <gtest/gtest.h>

#include <fmt/format.h>
#include <filesystem>
#include <map>
#include <regex>
#include <set>

#include "mirror_steps.hpp"
#include "production_db.hpp"

namespace pgshape {
namespace {

using testing::CommandResult;
using testing::ScratchDatabase;

constexpr const char* kSchema = "parts";

void build_source(const std::string& dsn) {
  pqxx::connection conn(dsn);
  pqxx::work tx(conn);
  tx.exec("SELECT setseed(0.31)");
  tx.exec0("CREATE SCHEMA parts");
  tx.exec0("SET LOCAL search_path TO parts");
  tx.exec0(R"(
    CREATE TABLE events (
      id bigint NOT NULL,
      created_at date NOT NULL,
      kind text NOT NULL,
      PRIMARY KEY (id, created_at)) PARTITION BY RANGE (created_at))");
  tx.exec0(
      "CREATE TABLE events_2023 PARTITION OF events "
      "FOR VALUES FROM ('2023-01-01') TO ('2024-01-01')");
  tx.exec0(
      "CREATE TABLE events_2024 PARTITION OF events "
      "FOR VALUES FROM ('2024-01-01') TO ('2025-01-01')");
  tx.exec0("CREATE TABLE events_rest PARTITION OF events DEFAULT");
  // 30 % in 2023, 60 % in 2024, 10 % later (the DEFAULT leaf).
  tx.exec0(R"(
    INSERT INTO events
    SELECT g, CASE WHEN r < 0.3 THEN date '2023-01-01' + floor(r / 0.3 * 365)::int
                   WHEN r < 0.9 THEN date '2024-01-01' + floor((r - 0.3) / 0.6 * 366)::int
                   ELSE date '2025-01-01' + floor((r - 0.9) / 0.1 * 180)::int END,
           (ARRAY['click', 'view', 'view', 'buy'])[1 + floor(random() * 4)::int]
    FROM (SELECT g, random() AS r FROM generate_series(1, 20000) g) s)");
  tx.exec0("CREATE INDEX events_kind ON events (kind)");
  // A leaf's own index: not rebuilt, so named as left out.
  tx.exec0("CREATE INDEX events_2024_only ON events_2024 (id)");
  tx.exec0(R"(
    CREATE TABLE regional (
      id bigint NOT NULL,
      region text NOT NULL,
      amount integer NOT NULL) PARTITION BY LIST (region))");
  tx.exec0("CREATE TABLE regional_eu PARTITION OF regional FOR VALUES IN ('eu')");
  tx.exec0("CREATE TABLE regional_am PARTITION OF regional FOR VALUES IN ('us', 'ca')");
  tx.exec0("CREATE TABLE regional_ap PARTITION OF regional FOR VALUES IN ('jp', 'au', 'sg')");
  tx.exec0(R"(
    INSERT INTO regional
    SELECT g, (ARRAY['eu', 'eu', 'eu', 'us', 'us', 'ca', 'jp', 'au', 'sg', 'eu'])
                [1 + floor(random() * 10)::int],
           floor(random() * 1000)::int
    FROM generate_series(1, 12000) g)");
  tx.exec0(R"(
    CREATE TABLE sessions (
      id bigint PRIMARY KEY,
      started_at timestamptz NOT NULL) PARTITION BY HASH (id))");
  for (int r = 0; r < 4; ++r)
    tx.exec0(
        fmt::format("CREATE TABLE sessions_{0} PARTITION OF sessions FOR VALUES WITH (modulus 4, "
                    "remainder {0})",
                    r));
  tx.exec0(R"(
    INSERT INTO sessions
    SELECT g, timestamptz '2024-01-01 00:00:00+00' + g * interval '1 minute'
    FROM generate_series(1, 8000) g)");
  // A parent nobody analyzed (autovacuum never does): only its leaves have
  // statistics, which stats merges.
  // Foreign keys from a partitioned table (accounts) and to one (visits).
  tx.exec0("CREATE TABLE accounts (id bigint PRIMARY KEY)");
  tx.exec0("INSERT INTO accounts SELECT g FROM generate_series(1, 200) g");
  tx.exec0(R"(
    CREATE TABLE visits (
      id bigint PRIMARY KEY,
      session_id bigint NOT NULL REFERENCES sessions (id)))");
  tx.exec0("INSERT INTO visits SELECT g, 1 + g % 8000 FROM generate_series(1, 3000) g");
  tx.exec0("ANALYZE accounts");
  tx.exec0("ANALYZE visits");
  tx.exec0(R"(
    CREATE TABLE ledger (
      account_id bigint NOT NULL REFERENCES accounts (id),
      id bigint NOT NULL,
      day date NOT NULL) PARTITION BY RANGE (day))");
  tx.exec0(
      "CREATE TABLE ledger_h1 PARTITION OF ledger "
      "FOR VALUES FROM ('2024-01-01') TO ('2024-07-01')");
  tx.exec0(
      "CREATE TABLE ledger_h2 PARTITION OF ledger "
      "FOR VALUES FROM ('2024-07-01') TO ('2025-01-01')");
  tx.exec0(R"(
    INSERT INTO ledger
    SELECT 1 + g % 200, g, date '2024-01-01' + floor(power(random(), 0.7) * 366)::int
    FROM generate_series(1, 10000) g)");
  tx.exec0("ANALYZE ledger_h1");
  tx.exec0("ANALYZE ledger_h2");
  // ANALYZE of a parent gives its inherited statistics and its leaves' own.
  for (const char* table : {"events", "regional", "sessions"})
    tx.exec0(fmt::format("ANALYZE {}", table));
  tx.commit();
}

struct Leaf {
  std::string bound;
  int64_t rows = 0;
};

// The leaves of `parent` in the schema: bound and row count.
std::map<std::string, Leaf> leaves(const std::string& dsn, const std::string& parent) {
  pqxx::connection conn(dsn);
  pqxx::work tx(conn);
  std::map<std::string, Leaf> out;
  for (const auto& row : tx.exec_params(
           "SELECT c.relname::text, pg_get_expr(c.relpartbound, c.oid) FROM pg_inherits h "
           "JOIN pg_class c ON c.oid = h.inhrelid JOIN pg_class p ON p.oid = h.inhparent "
           "JOIN pg_namespace n ON n.oid = p.relnamespace WHERE n.nspname = $1 AND p.relname = $2",
           std::string(kSchema), parent))
    out[row[0].as<std::string>()].bound = row[1].as<std::string>();
  for (auto& [name, leaf] : out)
    leaf.rows = tx.exec1(fmt::format("SELECT count(*) FROM {}.{}", tx.quote_name(kSchema),
                                     tx.quote_name(name)))[0]
                    .as<int64_t>();
  return out;
}

// The relations a plain EXPLAIN of `sql` scans.
std::set<std::string> scanned(const std::string& dsn, const std::string& sql) {
  pqxx::connection conn(dsn);
  pqxx::work tx(conn);
  std::set<std::string> out;
  // The scanned relation, not an index: "Seq Scan on t", "Index Scan using i on t".
  static const std::regex kOn(R"((?:Seq Scan|Heap Scan|Scan using \S+) on ([a-z0-9_]+))");
  for (const auto& row : tx.exec("EXPLAIN " + sql)) {
    const std::string line = row[0].as<std::string>();
    for (std::sregex_iterator it(line.begin(), line.end(), kOn), end; it != end; ++it)
      out.insert((*it)[1].str());
  }
  return out;
}

TEST(PartitionedTables, RangeListAndHashRoundTripWithTheirLeavesRowsAndPruning) {
  ScratchDatabase production("part_prod");
  ScratchDatabase mirror("part_mirror");
  build_source(production.dsn());

  testing::StatsMirror m;
  ASSERT_NO_FATAL_FAILURE(
      testing::stats_validate_load(production.dsn(), kSchema, mirror.dsn(), "partitions", m));
  const CommandResult& validated = m.validated;
  // Partitioning is rebuilt now, not named as left out; nor are the leaves.
  EXPECT_EQ(validated.out.find("partitioning of table"), std::string::npos) << validated.out;
  EXPECT_EQ(validated.out.find("partition events_2024 (of events)"), std::string::npos)
      << validated.out;
  EXPECT_NE(validated.out.find("index events_2024_only on partition events_2024"),
            std::string::npos)
      << validated.out;

  for (const char* parent : {"events", "regional", "sessions", "ledger"}) {
    const auto source = leaves(production.dsn(), parent);
    const auto copy = leaves(mirror.dsn(), parent);
    ASSERT_FALSE(source.empty()) << parent << " has no leaves (test bug)";
    ASSERT_EQ(copy.size(), source.size()) << parent;
    for (const auto& [name, leaf] : source) {
      auto it = copy.find(name);
      ASSERT_NE(it, copy.end()) << parent << ": leaf " << name << " missing on the mirror";
      EXPECT_EQ(it->second.bound, leaf.bound) << name;
      EXPECT_NEAR(static_cast<double>(it->second.rows), static_cast<double>(leaf.rows),
                  0.10 * static_cast<double>(leaf.rows))
          << name;
      std::printf("%-14s %-52s source %6lld mirror %6lld\n", name.c_str(), leaf.bound.c_str(),
                  static_cast<long long>(leaf.rows), static_cast<long long>(it->second.rows));
    }
  }

  // Keys and indexes were built on the parents and reached every leaf.
  {
    pqxx::connection conn(mirror.dsn());
    pqxx::work tx(conn);
    // Foreign keys from and to a partitioned table, validated.
    for (const char* fk : {"ledger_account_id_fkey", "visits_session_id_fkey"})
      EXPECT_EQ(tx.exec_params("SELECT count(*) FROM pg_constraint k JOIN pg_class c ON "
                               "c.oid = k.conrelid WHERE k.conname = $1 AND k.convalidated "
                               "AND c.relname IN ('ledger', 'visits')",
                               std::string(fk))[0][0]
                    .as<int>(),
                1)
          << fk;
    EXPECT_EQ(tx.exec1("SELECT count(*) FROM pg_indexes WHERE schemaname = 'parts' "
                       "AND tablename LIKE 'sessions_%' AND indexdef LIKE 'CREATE UNIQUE%'")[0]
                  .as<int>(),
              4);
  }

  for (const char* sql :
       {"SELECT * FROM parts.events WHERE created_at >= '2024-03-01' AND created_at < '2024-04-01'",
        "SELECT * FROM parts.events WHERE created_at >= '2025-02-01'",
        "SELECT * FROM parts.regional WHERE region = 'us'",
        "SELECT * FROM parts.regional WHERE region IN ('jp', 'eu')",
        "SELECT * FROM parts.sessions WHERE id = 4242"}) {
    const auto on_source = scanned(production.dsn(), sql);
    const auto on_mirror = scanned(mirror.dsn(), sql);
    EXPECT_EQ(on_mirror, on_source) << sql;
    // Pruning happened at all: not every leaf of the table is scanned.
    EXPECT_LE(on_source.size(), 2u) << sql;
    std::printf("%s\n  -> %s\n", sql, fmt::format("{}", fmt::join(on_source, ", ")).c_str());
  }
  std::filesystem::remove_all(std::filesystem::path(m.profile).parent_path());
}

}  // namespace
}  // namespace pgshape
