// A column under a regex or LIKE CHECK whose most common values are all its
// values (a currency code, a country code) is generated from those values and
// their shares, not as random strings inside the pattern: a query for 'USD'
// must find production's share of rows. A column with more values than pg_stats
// lists, or redacted values, keeps the pattern.
#include <gtest/gtest.h>

#include <algorithm>

#include "pgshape/profile.hpp"
#include "pgshape/stats.hpp"

namespace pgshape {
namespace {

StatsSnapshot ledger_snapshot(bool redacted) {
  StatsSnapshot s{.database = "db", .schema = "s", .taken_at = "2026-01-01T00:00:00Z"};
  s.redacted = redacted;
  s.types.push_back(TypeStats{.name = "currency_code",
                              .kind = 'd',
                              .base = "character(3)",
                              .checks = {"CHECK ((VALUE ~ '^[A-Z]{3}$'::text))"}});
  TableStats t{.name = "invoices", .reltuples = 10000, .primary_key = {"id"}};
  auto col = [&](ColumnStats c) {
    c.has_stats = true;
    t.columns.push_back(std::move(c));
  };
  col({.name = "id",
       .type = "bigint",
       .not_null = true,
       .n_distinct = -1,
       .histogram = {"1", "10000"},
       .correlation = 1});
  col({.name = "currency",
       .type = "currency_code",
       .not_null = true,
       .avg_width = 4,
       .n_distinct = 3,
       .mcv = {"USD", "EUR", "GBP"},
       .mcf = {0.6, 0.3, 0.1}});
  // A negative n_distinct is a fraction of the rows: 2 of 10,000.
  col({.name = "settle_currency",
       .type = "currency_code",
       .not_null = true,
       .avg_width = 4,
       .n_distinct = -0.0002,
       .mcv = {"EUR", "JPY"},
       .mcf = {0.5, 0.5}});
  // 500 codes: pg_stats cannot list them, the pattern draws that many.
  col({.name = "source_currency",
       .type = "currency_code",
       .not_null = true,
       .avg_width = 4,
       .n_distinct = 500,
       .mcv = {"USD"},
       .mcf = {0.01},
       .histogram = {"AAA", "MMM", "ZZZ"}});
  s.tables = {t};
  return s;
}

TEST(StatsListedDomain, EveryValueListedIsDrawnFromTheListElseFromThePattern) {
  const std::string text = render_profile(ledger_snapshot(false), ImportOptions{.name = "m"});
  const Profile p = parse_profile(text, "m.yaml");
  for (const auto& d : validate_profile(p)) ADD_FAILURE() << d.message << "\n" << text;
  const Table& t = p.tables.at(0);
  const Column* currency = t.find_column("currency");
  ASSERT_TRUE(currency) << text;
  EXPECT_NE(currency->dist.kind, DistKind::kPattern) << text;
  ASSERT_EQ(currency->dist.values.size(), 3u) << text;
  const auto usd = std::find(currency->dist.values.begin(), currency->dist.values.end(), "USD");
  ASSERT_NE(usd, currency->dist.values.end()) << text;
  EXPECT_NEAR(currency->dist.weights[static_cast<size_t>(usd - currency->dist.values.begin())], 0.6,
              1e-9);
  EXPECT_EQ(t.find_column("settle_currency")->dist.values.size(), 2u) << text;
  EXPECT_EQ(t.find_column("source_currency")->dist.kind, DistKind::kPattern) << text;

  // Redacted, the listed values are tokens the CHECK might refuse.
  const Profile redacted =
      parse_profile(render_profile(ledger_snapshot(true), ImportOptions{.name = "m"}), "m.yaml");
  EXPECT_EQ(redacted.tables.at(0).find_column("currency")->dist.kind, DistKind::kPattern);
}

}  // namespace
}  // namespace pgshape
