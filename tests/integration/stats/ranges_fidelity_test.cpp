// Issue #15 item 4 (ranges) on a real server: a source with booking windows
// (tstzrange: some open-ended, some empty), nights (daterange, skewed, some
// NULL) and price tiers (int4range), with GiST and SP-GiST indexes, imported
// with `pgshape stats` (range statistics from pg_statistic before PostgreSQL
// 17, as the superuser the tests run as), loaded and ANALYZEd:
//   - each range column is dist: range, its indexes are on the mirror;
//   - EXPLAIN row estimates of &&, @> (a point) and <@ within 2x of
//     production's, and the empty share within 0.01 of production's;
//   - a role that may not read pg_statistic (before 17) gets the NOT NULL
//     range column left out, with a note that names pg_statistic and the grant.
#include <gtest/gtest.h>

#include <fmt/format.h>
#include <cmath>
#include <filesystem>

#include <nlohmann/json.hpp>

#include "production_db.hpp"

namespace pgshape {
namespace {

using testing::run_pgshape;
using testing::ScratchDatabase;

void build_source(const std::string& dsn) {
  pqxx::connection conn(dsn);
  pqxx::work tx(conn);
  tx.exec("SELECT setseed(0.4242)");
  tx.exec0(R"(
    CREATE TABLE bookings (
      id bigint PRIMARY KEY,
      room integer NOT NULL,
      stay tstzrange NOT NULL,
      nights daterange,
      tier int4range NOT NULL))");
  // 60,000 rows. stay: starts uniform over 2024, lengths log-uniform from an
  // hour to 14 days, 3 % open-ended, 2 % empty. nights: check-in skewed to the
  // year's start, 1..10 nights, 5 % NULL. tier: lower bounds in steps of 100,
  // skewed low, widths 100, 500 or 1000.
  tx.exec0(R"(
    INSERT INTO bookings
    SELECT g, 1 + g % 300,
           CASE WHEN r1 < 0.02 THEN 'empty'::tstzrange
                WHEN r1 < 0.05 THEN tstzrange(s, NULL)
                ELSE tstzrange(s, s + interval '1 hour' * exp(random() * ln(336))) END,
           CASE WHEN random() < 0.05 THEN NULL ELSE
             daterange(d, d + 1 + floor(random() * 10)::int) END,
           int4range(lo, lo + (ARRAY[100, 500, 500, 1000])[1 + floor(random() * 4)::int])
    FROM (SELECT g, random() AS r1,
                 timestamptz '2024-01-01 00:00+00' + interval '1 second' *
                   floor(random() * 366 * 86400) AS s,
                 date '2024-01-01' + floor(power(random(), 2) * 365)::int AS d,
                 (floor(power(random(), 3) * 50) * 100)::int AS lo
          FROM generate_series(1, 60000) g) x)");
  tx.exec0("CREATE INDEX bookings_stay ON bookings USING gist (stay)");
  tx.exec0("CREATE INDEX bookings_nights ON bookings USING gist (nights)");
  tx.exec0("CREATE INDEX bookings_tier ON bookings USING spgist (tier)");
  tx.commit();
  pqxx::nontransaction(conn).exec0("VACUUM ANALYZE bookings");
}

std::string schema_of(const std::string& dsn) {
  pqxx::connection conn(dsn);
  pqxx::read_transaction tx(conn);
  return tx
      .exec1(
          "SELECT schemaname::text FROM pg_tables WHERE tablename = 'bookings' "
          "AND schemaname NOT IN ('pg_catalog', 'information_schema')")[0]
      .as<std::string>();
}

double estimate(const std::string& dsn, const std::string& schema, const std::string& where) {
  pqxx::connection conn(dsn);
  pqxx::nontransaction tx(conn);
  tx.exec0("SET search_path = " + tx.quote_name(schema));
  const auto plan = nlohmann::json::parse(
      tx.exec1("EXPLAIN (FORMAT JSON) SELECT * FROM bookings WHERE " + where)[0].as<std::string>());
  return plan[0]["Plan"]["Plan Rows"].get<double>();
}

double scalar(const std::string& dsn, const std::string& sql) {
  pqxx::connection conn(dsn);
  pqxx::read_transaction tx(conn);
  return tx.exec1(sql)[0].as<double>();
}

int server_version_num(const std::string& dsn) {
  return static_cast<int>(scalar(dsn, "SELECT current_setting('server_version_num')::int"));
}

TEST(RangesFidelity, RangeColumnsEstimateOverlapContainmentAndWithinLikeProduction) {
  ScratchDatabase source("ranges_src");
  ScratchDatabase mirror("ranges_mirror");
  build_source(source.dsn());
  const auto dir = std::filesystem::temp_directory_path() / testing::unique_name("ranges_fid");
  std::filesystem::create_directories(dir);
  const std::string profile = (dir / "mirror.yaml").string();
  auto imported = run_pgshape({"stats", "--source", source.dsn(), "-o", profile});
  ASSERT_EQ(imported.exit_code, 0) << imported.err;
  const std::string text = testing::read_all(profile);
  for (const char* column : {"stay:", "nights:", "tier:"}) {
    const auto at = text.find(std::string("      ") + column);
    ASSERT_NE(at, std::string::npos) << column << "\n" << text;
    EXPECT_EQ(text.substr(at, 400).find("dist: range"), text.substr(at, 400).find("dist:"))
        << column << "\n"
        << text.substr(at, 400);
  }
  auto loaded = run_pgshape({"load", profile, "--scale", "production", "--schema", "mirror",
                             "--jobs", "2", "--dsn", mirror.dsn()});
  ASSERT_EQ(loaded.exit_code, 0) << loaded.err;
  std::filesystem::remove_all(dir);
  const std::string schema = schema_of(mirror.dsn());

  for (const char* index : {"bookings_stay", "bookings_nights", "bookings_tier"}) {
    const std::string sql = fmt::format(
        "SELECT count(*) FROM pg_indexes WHERE indexname = '{}' AND indexdef LIKE '%USING {} %'",
        index, std::string(index) == "bookings_tier" ? "spgist" : "gist");
    EXPECT_EQ(scalar(mirror.dsn(), sql), 1) << index;
  }
  auto empty_share = [](const std::string& dsn, const std::string& schema) {
    return scalar(
        dsn, fmt::format("SELECT avg(isempty(stay)::int)::float8 FROM \"{}\".bookings", schema));
  };
  EXPECT_NEAR(empty_share(mirror.dsn(), schema), empty_share(source.dsn(), "public"), 0.01);

  const std::vector<std::string> queries = {
      "stay && tstzrange('2024-03-01 00:00+00', '2024-03-08 00:00+00')",
      "stay && tstzrange('2024-12-30 00:00+00', NULL)",
      "stay @> timestamptz '2024-06-15 12:00+00'",
      "stay <@ tstzrange('2024-05-01 00:00+00', '2024-07-01 00:00+00')",
      "nights && daterange('2024-02-01', '2024-02-05')",
      "nights @> date '2024-01-20'",
      "nights <@ daterange('2024-01-01', '2024-03-01')",
      "tier @> 250",
      "tier @> 3050",
      "tier && int4range(1000, 1200)",
      "tier <@ int4range(0, 600)",
  };
  std::printf("\n%-70s %9s %9s %6s\n", "query", "src rows", "mirror", "ratio");
  for (const auto& where : queries) {
    const double p = estimate(source.dsn(), "public", where);
    const double m = estimate(mirror.dsn(), schema, where);
    const double ratio = std::max(m, 1.0) / std::max(p, 1.0);
    std::printf("%-70s %9.0f %9.0f %6.2f\n", where.c_str(), p, m, ratio);
    EXPECT_LE(std::max(ratio, 1 / ratio), 2.0) << where;
  }
}

TEST(RangesFidelity, ARoleThatMayNotReadRangeStatisticsIsToldWhyTheColumnIsLeftOut) {
  ScratchDatabase source("ranges_role");
  const std::string role = testing::unique_name("range_reader");
  {
    pqxx::connection conn(source.dsn());
    pqxx::nontransaction tx(conn);
    tx.exec0("CREATE TABLE slots (id bigint PRIMARY KEY, during tstzrange NOT NULL)");
    tx.exec0(
        "INSERT INTO slots SELECT g, tstzrange(t, t + interval '1 hour') FROM (SELECT g, "
        "timestamptz '2024-01-01 00:00+00' + g * interval '1 minute' AS t "
        "FROM generate_series(1, 2000) g) x");
    tx.exec0("ANALYZE slots");
    tx.exec0("CREATE ROLE " + tx.quote_name(role) + " LOGIN");
    tx.exec0("GRANT USAGE ON SCHEMA public TO " + tx.quote_name(role));
    tx.exec0("GRANT SELECT ON ALL TABLES IN SCHEMA public TO " + tx.quote_name(role));
  }
  const std::string profile =
      (std::filesystem::temp_directory_path() / (testing::unique_name("ranges_role") + ".yaml"))
          .string();
  auto r = run_pgshape({"stats", "--source", source.dsn() + " user=" + role, "--source-schema",
                        "public", "-o", profile});
  {
    pqxx::connection conn(source.dsn());
    pqxx::nontransaction tx(conn);
    tx.exec0("DROP OWNED BY " + tx.quote_name(role));
  }
  {
    pqxx::connection conn(testing::test_dsn());
    pqxx::nontransaction(conn).exec0("DROP ROLE IF EXISTS \"" + role + "\"");
  }
  ASSERT_EQ(r.exit_code, 0) << r.err;
  const std::string text = testing::read_all(profile);
  std::filesystem::remove(profile);
  if (server_version_num(source.dsn()) >= 170000) {
    // pg_stats shows range statistics to whoever may read the table.
    EXPECT_NE(text.find("dist: range"), std::string::npos) << text;
    return;
  }
  EXPECT_EQ(text.find("dist: range"), std::string::npos) << text;
  const std::string why = "keeps range statistics only in pg_catalog.pg_statistic, which role " +
                          role + " may not read";
  EXPECT_NE(r.err.find(why), std::string::npos) << r.err;
  EXPECT_NE(text.find(why), std::string::npos) << text;
}

}  // namespace
}  // namespace pgshape
