// The overflow class, closed by a property (issue 14): for every numeric type x
// every distribution, random parameters (fixed seed) are either refused by
// validation — with a profile.* code and a position — or load, over text and
// binary COPY alike, with every value inside the type's range, the bounds the
// profile declares and what the distribution can produce (checked in the
// database with min/max). A wrapped value (smallint normal mean 1e9, a bigint
// sequence past 2^63, numeric(10,2) lognormal mu 800) lands far outside the
// last two, so the property fails on a validator that lets one through.
#include <gtest/gtest.h>
#include <pqxx/pqxx>

#include <cmath>
#include <cstdio>
#include <filesystem>
#include <fstream>
#include <map>
#include <random>
#include <string>
#include <vector>

#include <fmt/format.h>

#include "pgshape/error.hpp"
#include "pgshape/profile.hpp"
#include "test_server.hpp"

namespace pgshape {
namespace {

constexpr int64_t kRows = 400;
constexpr int kDrawsPerPair = 6;

struct TypeCase {
  const char* table;  // one table per type
  const char* sql;
  long double limit;  // the largest magnitude the type holds (numbers are drawn around it)
  bool integer;
};

const std::vector<TypeCase>& types() {
  static const std::vector<TypeCase> kTypes = {
      {"t_int2", "smallint", 32767, true},
      {"t_int4", "integer", 2147483647.0L, true},
      {"t_int8", "bigint", 9223372036854775807.0L, true},
      {"t_num10_2", "numeric(10,2)", 99999999.99L, false},
      {"t_num6_0", "numeric(6,0)", 999999, false},
      {"t_num20_6", "numeric(20,6)", 99999999999999.0L, false},
      {"t_num", "numeric", 1.7e308L, false},
      {"t_real", "real", 3.4e38L, false},
      {"t_double", "double precision", 1.7e308L, false},
  };
  return kTypes;
}

const std::vector<std::string>& distributions() {
  static const std::vector<std::string> kDists = {"sequence",  "uniform",  "normal",
                                                  "lognormal", "zipf",     "hotset",
                                                  "weighted",  "timeline", "empirical"};
  return kDists;
}

// One drawn column: its YAML; the bounds it declares (min/max as written,
// compared exactly in the column's own type; empty = none); and what the
// distribution can produce (compared as double precision with a relative slack
// of 1e-9, which a wrapped value misses by orders of magnitude; NaN = no bound).
struct Drawn {
  std::string yaml;
  std::string min, max;
  long double lo = NAN, hi = NAN;
};

class Draws {
 public:
  explicit Draws(uint64_t seed) : engine_(seed) {}

  double unit() { return static_cast<double>(engine_() >> 11) * 0x1.0p-53; }
  bool coin() { return (engine_() & 1) != 0; }
  // A magnitude around the type's limit: 10^-7 to 10^1.5 times it, either sign.
  long double around(const TypeCase& t, bool allow_negative = true) {
    const long double v = t.limit * std::pow(10.0L, -7 + 8.5 * unit());
    return allow_negative && coin() ? -v : v;
  }
  // A number written as a profile writes it: whole for integer types (mostly),
  // with a fraction otherwise.
  std::string number(const TypeCase& t, long double v) {
    if (t.integer && coin()) return fmt::format("{:.0f}", v);
    return fmt::format("{:.6g}", static_cast<double>(v));
  }

 private:
  std::mt19937_64 engine_;
};

// Parameters for `dist` on type `t`, and the bounds its values must stay in.
Drawn draw(Draws& r, const TypeCase& t, const std::string& dist) {
  Drawn d;
  const std::string head = fmt::format("{{ type: \"{}\", dist: {}", t.sql, dist);
  auto bounds = [&](bool always) {
    if (!always && r.coin()) return;
    long double a = r.around(t), b = r.around(t);
    if (a > b) std::swap(a, b);
    if (r.unit() < 0.3) b = a + std::fabs(a) * r.unit() + r.unit();  // a narrow range
    d.min = r.number(t, a), d.max = r.number(t, b);
  };
  auto clamp_text = [&] { return d.min.empty() ? "" : ", min: " + d.min + ", max: " + d.max; };
  if (dist == "sequence") {
    const long double start = std::round(r.around(t));
    const long double step = std::floor(std::pow(10.0L, 6 * r.unit())) * (r.coin() ? -1 : 1);
    d.yaml = fmt::format("{}, start: {:.0f}, step: {:.0f} }}", head, start, step);
    const long double last = start + step * (kRows - 1);
    d.lo = std::min(start, last), d.hi = std::max(start, last);
  } else if (dist == "uniform" || dist == "timeline") {
    bounds(dist == "timeline");
    d.yaml = head + clamp_text() + " }";
    // The documented defaults when the profile gives none.
    d.lo = d.min.empty() ? (t.integer ? 1 : 0) : std::stold(d.min);
    d.hi = d.max.empty() ? 1000 : std::stold(d.max);
  } else if (dist == "normal") {
    const long double mean = r.around(t), sd = std::fabs(r.around(t, false)) / 20;
    const std::string mean_text = r.number(t, mean);
    bounds(false);
    d.yaml = fmt::format("{}, mean: {}, stddev: {:.6g}{} }}", head, mean_text,
                         static_cast<double>(sd), clamp_text());
    // 13 deviations: one more than pgshape counts on. Clamped draws sit on a bound.
    d.lo = std::stold(mean_text) - 13 * sd, d.hi = std::stold(mean_text) + 13 * sd;
    if (!d.min.empty()) d.lo = std::min(d.lo, std::stold(d.min));
    if (!d.max.empty()) d.hi = std::max(d.hi, std::stold(d.max));
  } else if (dist == "lognormal") {
    const double mu = std::log(static_cast<double>(t.limit)) * (1.4 * r.unit() - 0.2);
    const double sigma = 0.05 + 4 * r.unit();
    bounds(false);
    d.yaml = fmt::format("{}, mu: {}, sigma: {}{} }}", head, mu, sigma, clamp_text());
    d.lo = 0;
    d.hi = std::exp(static_cast<long double>(mu) + 13 * sigma);
    if (!d.min.empty()) d.lo = std::min(d.lo, std::stold(d.min));
    if (!d.max.empty()) d.hi = std::max(d.hi, std::stold(d.max));
  } else if (dist == "zipf" || dist == "hotset") {
    const long double start = std::round(r.around(t));
    const int64_t n = 1 + static_cast<int64_t>(std::pow(10.0, 6 * r.unit()));
    d.yaml = fmt::format("{}, s: 1.1, n: {}, start: {:.0f}{} }}", head, n, start,
                         dist == "hotset" ? ", hot: 1, share: 0.5" : "");
    d.lo = start, d.hi = start + static_cast<long double>(n - 1);
  } else if (dist == "weighted") {
    std::string map;
    d.lo = INFINITY, d.hi = -INFINITY;
    for (int i = 0; i < 3; ++i) {
      const std::string text = r.number(t, r.around(t));
      map += fmt::format("{}\"{}\": {}", i ? ", " : "", text, i + 1);
      d.lo = std::min(d.lo, std::stold(text)), d.hi = std::max(d.hi, std::stold(text));
    }
    d.yaml = fmt::format("{}, values: {{ {} }} }}", head, map);
  } else {  // empirical: a histogram of three bounds
    std::vector<long double> b{r.around(t), r.around(t), r.around(t)};
    std::sort(b.begin(), b.end());
    std::vector<std::string> texts;
    for (auto v : b) texts.push_back(r.number(t, v));
    d.yaml = fmt::format("{}, histogram: [\"{}\", \"{}\", \"{}\"], n_distinct: -0.5 }}", head,
                         texts[0], texts[1], texts[2]);
    d.lo = std::stold(texts[0]), d.hi = std::stold(texts[2]);
  }
  // A literal of numeric(p,s) is stored rounded to s decimals: allow that much.
  if (!t.integer && std::string(t.sql).find(',') != std::string::npos) d.lo -= 0.5, d.hi += 0.5;
  return d;
}

// Widens a bound by the slack the type's precision needs (real keeps 24 bits).
std::string slack(const TypeCase& t, long double v, int side) {
  const long double relative = std::string(t.sql) == "real" ? 1e-6L : 1e-9L;
  const long double widened = v + side * (std::fabs(v) * relative + 1e-9L);
  return fmt::format("{:.17g}", static_cast<double>(widened));
}

std::string profile_text(
    const std::map<std::string, std::vector<std::pair<std::string, Drawn>>>& tables) {
  std::string text = fmt::format("name: overflow\nseed: 5\nscales: {{ s: {} }}\ntables:\n", kRows);
  for (const auto& [table, columns] : tables) {
    text += fmt::format("  {}:\n    rows: {}\n    columns:\n", table, kRows);
    for (const auto& [name, drawn] : columns)
      text += fmt::format("      {}: {}\n", name, drawn.yaml);
  }
  return text;
}

// A literal of the column's type for SQL comparisons: numbers compare exactly as
// numeric; real and double against the bound as that type rounds it.
std::string typed(const TypeCase& t, const std::string& text) {
  const std::string type = std::string(t.sql) == "real"               ? "real"
                           : std::string(t.sql) == "double precision" ? "double precision"
                                                                      : "numeric";
  return fmt::format("'{}'::{}", text, type);
}

TEST(OverflowProperty, EveryNumericTypeAndDistributionIsRefusedOrLoadsInsideItsBounds) {
  Draws r(20261202);
  std::map<std::string, std::vector<std::pair<std::string, Drawn>>> accepted;
  std::map<std::string, int> refused_of, accepted_of;
  int next = 0;
  for (const auto& t : types()) {
    for (const auto& dist : distributions()) {
      for (int k = 0; k < kDrawsPerPair; ++k) {
        const Drawn drawn = draw(r, t, dist);
        const std::string name = fmt::format("c{}_{}", next++, dist);
        std::map<std::string, std::vector<std::pair<std::string, Drawn>>> one{
            {t.table, {{name, drawn}}}};
        try {
          parse_profile(profile_text(one), "one.yaml");
          accepted[t.table].emplace_back(name, drawn);
          ++accepted_of[t.table];
        } catch (const ProfileError& e) {
          ++refused_of[t.table];
          for (const auto& diag : e.diagnostics()) {
            EXPECT_NE(diag.code, "profile.invalid") << diag.to_string();
            EXPECT_GT(diag.line, 0) << diag.to_string();
          }
        }
      }
    }
  }
  // The draws straddle every type's limits: both outcomes occur for each type.
  for (const auto& t : types()) {
    std::printf("%-17s %2d accepted, %2d refused\n", t.sql, accepted_of[t.table],
                refused_of[t.table]);
    EXPECT_GE(accepted_of[t.table], 8) << t.sql;
    EXPECT_GE(refused_of[t.table], 8) << t.sql;
  }

  const auto dir = std::filesystem::temp_directory_path() / testing::unique_name("pgshape-prop");
  std::filesystem::create_directories(dir);
  const std::string path = (dir / "overflow.yaml").string();
  std::ofstream(path) << profile_text(accepted);
  pqxx::connection conn(testing::test_dsn());
  for (const std::string format : {"text", "binary"}) {
    SCOPED_TRACE(format);
    const std::string schema = testing::unique_name("overflow_" + format);
    const auto load = testing::run_pgshape({"load", path, "--dsn", testing::test_dsn(), "--schema",
                                            schema, "--copy-format", format, "-q"});
    ASSERT_EQ(load.exit_code, 0) << load.err;
    pqxx::work tx(conn);
    for (const auto& t : types()) {
      for (const auto& [name, drawn] : accepted[t.table]) {
        const std::string col = tx.quote_name(name);
        std::string checks = fmt::format(
            "count(*) FILTER (WHERE {0}::text IN ('NaN', 'Infinity', '-Infinity')) = 0", col);
        if (!drawn.min.empty())
          checks += fmt::format(" AND min({}) >= {}", col, typed(t, drawn.min));
        if (!drawn.max.empty())
          checks += fmt::format(" AND max({}) <= {}", col, typed(t, drawn.max));
        if (std::isfinite(drawn.lo) && std::fabs(drawn.lo) < 1e300L)
          checks += fmt::format(" AND min({})::float8 >= {}", col, slack(t, drawn.lo, -1));
        if (std::isfinite(drawn.hi) && std::fabs(drawn.hi) < 1e300L)
          checks += fmt::format(" AND max({})::float8 <= {}", col, slack(t, drawn.hi, 1));
        const auto row = tx.exec1(
            fmt::format("SELECT {}, min({})::text, max({})::text, count({}) FROM {}.{}", checks,
                        col, col, col, tx.quote_name(schema), tx.quote_name(t.table)));
        EXPECT_TRUE(row[0].as<bool>())
            << t.sql << " " << drawn.yaml << ": values " << row[1].c_str() << " .. "
            << row[2].c_str() << "; declared [" << drawn.min << ", " << drawn.max
            << "], reachable [" << static_cast<double>(drawn.lo) << ", "
            << static_cast<double>(drawn.hi) << "]";
        EXPECT_EQ(row[3].as<int64_t>(), kRows) << t.sql << " " << drawn.yaml;
      }
    }
    tx.exec0("DROP SCHEMA " + tx.quote_name(schema) + " CASCADE");
    tx.commit();
  }
  std::filesystem::remove_all(dir);
}

}  // namespace
}  // namespace pgshape
