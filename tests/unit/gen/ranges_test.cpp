// dist: range against the parameters it is built from, over every row of a
// fixed seed: lower bounds and lengths follow their distributions (one-sample
// Kolmogorov-Smirnov, D below 1.63 / sqrt(n), the 1% critical value), the
// empty and unbounded shares within 4 standard errors of a binomial share, the
// text exactly PostgreSQL's for discrete types ('[)', no quotes). And the
// profile's refusals, each at its file:line:column.
#include <gtest/gtest.h>

#include <fmt/format.h>

#include <algorithm>
#include <cmath>
#include <map>
#include <optional>
#include <regex>
#include <string>
#include <vector>

#include "generated_profile.hpp"
#include "pgshape/util.hpp"

namespace pgshape {
namespace {

using testing::GeneratedProfile;

constexpr int64_t kRows = 40000;

std::string profile(const std::string& columns) {
  return fmt::format("name: r\nscales:\n  s: {}\ntables:\n  t:\n    rows: 1x\n    columns:\n{}",
                     kRows, columns);
}

struct Range {
  bool empty = false;
  char open = 0, close = 0;
  std::optional<std::string> lower, upper;
};

// The generator's text: empty, or [lo,hi) with bare bounds, a side blank when unbounded.
Range parse(const std::string& text) {
  Range r;
  if (text == "empty") return r.empty = true, r;
  EXPECT_GE(text.size(), 3u) << text;
  r.open = text.front(), r.close = text.back();
  const std::string inner = text.substr(1, text.size() - 2);
  const auto comma = inner.find(',');
  EXPECT_NE(comma, std::string::npos) << text;
  EXPECT_EQ(inner.find('"'), std::string::npos) << text;
  if (comma > 0) r.lower = inner.substr(0, comma);
  if (comma + 1 < inner.size()) r.upper = inner.substr(comma + 1);
  return r;
}

std::vector<Range> ranges(const GeneratedProfile& g, const std::string& column) {
  const ColumnGenerator& gen = g.column("t", column);
  std::vector<Range> out;
  std::string scratch;
  for (uint64_t row = 0; row < static_cast<uint64_t>(kRows); ++row) {
    const Datum d = gen.value(row, scratch);
    EXPECT_NE(d.kind, Datum::Kind::kNull);
    out.push_back(parse(std::string(d.text)));
  }
  return out;
}

// Kolmogorov-Smirnov distance of the sample from the CDF.
template <typename Cdf>
double ks(std::vector<double> sample, Cdf cdf) {
  std::sort(sample.begin(), sample.end());
  const double n = static_cast<double>(sample.size());
  double d = 0;
  for (size_t i = 0; i < sample.size(); ++i) {
    const double f = cdf(sample[i]);
    d = std::max({d, std::abs(f - static_cast<double>(i) / n),
                  std::abs(static_cast<double>(i + 1) / n - f)});
  }
  return d;
}

double ks_bound(size_t n) {
  return 1.63 / std::sqrt(static_cast<double>(n));
}

double share_bound(double p, double n) {
  return 4 * std::sqrt(p * (1 - p) / n) + 1e-9;
}

double micros(const std::string& text) {
  const auto t = parse_pg_timestamp(text);
  EXPECT_TRUE(t) << text;
  return t ? static_cast<double>(*t) : 0;
}

TEST(RangeGenerator, TimestampWindowsFollowLowerAndLengthWithTheirShares) {
  const GeneratedProfile g(profile(R"(      w:
        type: tstzrange
        dist: range
        lower: {dist: uniform, min: '2024-01-01', max: '2024-12-31'}
        length: {dist: uniform, min: 3600, max: 259200}
        empty: 0.1
        lower_infinite: 0.02
        upper_infinite: 0.05
)"),
                           11);
  const auto rows = ranges(g, "w");
  size_t empty = 0, no_lower = 0, no_upper = 0;
  std::vector<double> lowers, lengths;
  for (const Range& r : rows) {
    if (r.empty) {
      ++empty;
      continue;
    }
    EXPECT_EQ(r.open, r.lower ? '[' : '(');
    EXPECT_EQ(r.close, ')');
    no_lower += !r.lower, no_upper += !r.upper;
    if (r.lower) lowers.push_back(micros(*r.lower));
    if (r.lower && r.upper) lengths.push_back((micros(*r.upper) - micros(*r.lower)) / 1e6);
  }
  const double n = static_cast<double>(rows.size()), filled = n - static_cast<double>(empty);
  EXPECT_NEAR(static_cast<double>(empty) / n, 0.1, share_bound(0.1, n));
  EXPECT_NEAR(static_cast<double>(no_lower) / filled, 0.02, share_bound(0.02, filled));
  EXPECT_NEAR(static_cast<double>(no_upper) / filled, 0.05, share_bound(0.05, filled));
  const double lo = micros("2024-01-01 00:00:00+00"), hi = micros("2024-12-31 00:00:00+00");
  EXPECT_LT(ks(lowers, [&](double x) { return std::clamp((x - lo) / (hi - lo), 0.0, 1.0); }),
            ks_bound(lowers.size()));
  EXPECT_LT(
      ks(lengths, [](double x) { return std::clamp((x - 3600) / (259200.0 - 3600), 0.0, 1.0); }),
      ks_bound(lengths.size()));
}

TEST(RangeGenerator, IntegerTiersAreCanonicalWithWholeLengthsAsWeighted) {
  const GeneratedProfile g(profile(R"(      tier:
        type: int4range
        dist: range
        lower: {dist: normal, mean: 1000, stddev: 100}
        length: {dist: weighted, values: {1: 1, 5: 1, 10: 2}}
)"),
                           5);
  std::vector<double> lowers;
  std::map<int64_t, size_t> lengths;
  for (const Range& r : ranges(g, "tier")) {
    ASSERT_FALSE(r.empty);
    ASSERT_TRUE(r.lower && r.upper);
    EXPECT_EQ(r.open, '[');
    EXPECT_EQ(r.close, ')');
    const int64_t a = std::stoll(*r.lower), b = std::stoll(*r.upper);
    lowers.push_back(static_cast<double>(a));
    ++lengths[b - a];
  }
  // The lower bound is the normal draw rounded: its CDF at x counts up to x + 0.5.
  EXPECT_LT(ks(lowers, [](double x) { return 0.5 * std::erfc(-(x + 0.5 - 1000) / 100 / M_SQRT2); }),
            ks_bound(lowers.size()));
  ASSERT_EQ(lengths.size(), 3u);
  const double n = static_cast<double>(kRows);
  EXPECT_NEAR(static_cast<double>(lengths[1]) / n, 0.25, share_bound(0.25, n));
  EXPECT_NEAR(static_cast<double>(lengths[5]) / n, 0.25, share_bound(0.25, n));
  EXPECT_NEAR(static_cast<double>(lengths[10]) / n, 0.5, share_bound(0.5, n));
}

TEST(RangeGenerator, DatesAndNumbersKeepTheirFormsAndEmpiricalLowerBounds) {
  const GeneratedProfile g(profile(R"(      stay:
        type: daterange
        dist: range
        lower: {dist: empirical, histogram: ['2024-01-01', '2024-02-01', '2024-06-01']}
        length: {dist: uniform, min: 0, max: 14}
      price:
        type: numrange
        dist: range
        lower: {dist: uniform, min: 0, max: 100}
        length: {dist: lognormal, mu: 1, sigma: 0.5}
        bounds: '[]'
)"),
                           3);
  const std::regex date(R"(\d{4}-\d{2}-\d{2})");
  std::vector<double> days;
  for (const Range& r : ranges(g, "stay")) {
    ASSERT_TRUE(r.lower && r.upper);
    ASSERT_TRUE(std::regex_match(*r.lower, date)) << *r.lower;
    const auto a = parse_pg_date(*r.lower), b = parse_pg_date(*r.upper);
    ASSERT_TRUE(a && b);
    EXPECT_GE(*b - *a, 1);  // a whole length of 0 would be the empty [a,a)
    EXPECT_LE(*b - *a, 14);
    days.push_back(static_cast<double>(*a));
  }
  // Equal-count buckets: half the lower bounds in January.
  const double jan = static_cast<double>(*parse_pg_date("2024-02-01"));
  const double below = static_cast<double>(
      std::count_if(days.begin(), days.end(), [&](double d) { return d < jan; }));
  EXPECT_NEAR(below / static_cast<double>(days.size()), 0.5, share_bound(0.5, kRows));
  std::vector<double> lengths;
  for (const Range& r : ranges(g, "price")) {
    ASSERT_TRUE(r.lower && r.upper);
    EXPECT_EQ(r.open, '[');
    EXPECT_EQ(r.close, ']');
    lengths.push_back(std::stod(*r.upper) - std::stod(*r.lower));
  }
  EXPECT_LT(
      ks(lengths,
         [](double x) { return x <= 0 ? 0 : 0.5 * std::erfc(-(std::log(x) - 1) / 0.5 / M_SQRT2); }),
      ks_bound(lengths.size()) + 1e-5);  // bounds written with 6 decimals
}

TEST(RangeGenerator, ShardsAreByteIdentical) {
  const std::string yaml = profile(R"(      w:
        type: tsrange
        dist: range
        lower: {dist: uniform, min: '2024-01-01', max: '2024-02-01'}
        length: {dist: uniform, min: 60, max: 600}
        empty: 0.2
)");
  const GeneratedProfile a(yaml, 9), b(yaml, 9);
  std::string s1, s2;
  for (uint64_t row : {0ull, 17ull, 39999ull, 12345ull}) {
    const Datum x = a.column("t", "w").value(row, s1);
    const std::string first(x.text);
    const Datum y = b.column("t", "w").value(row, s2);
    EXPECT_EQ(first, std::string(y.text));
  }
}

struct BadRange {
  const char* name;
  const char* column;
  int line, column_at;
  const char* phrase;
};

void PrintTo(const BadRange& c, std::ostream* out) {
  *out << c.name;
}

class BadRangeProfile : public ::testing::TestWithParam<BadRange> {};

TEST_P(BadRangeProfile, IsRefusedAtItsPosition) {
  const BadRange& c = GetParam();
  const std::string yaml = profile(c.column);
  try {
    parse_profile(yaml, "bad.yaml");
    FAIL() << "accepted:\n" << yaml;
  } catch (const ProfileError& e) {
    std::string all;
    bool found = false;
    for (const auto& d : e.diagnostics()) {
      all += d.to_string() + "\n";
      found = found || (d.file == "bad.yaml" && d.line == c.line && d.column == c.column_at &&
                        d.message.find(c.phrase) != std::string::npos);
    }
    EXPECT_TRUE(found) << "want bad.yaml:" << c.line << ":" << c.column_at << ": ..." << c.phrase
                       << "\ngot:\n"
                       << all;
  }
}

// Columns start on line 8 of profile().
INSTANTIATE_TEST_SUITE_P(
    Ranges, BadRangeProfile,
    ::testing::Values(
        BadRange{
            "multirange",
            "      m: {type: int4multirange, dist: range, lower: {min: 1}, length: {min: 1}}\n", 8,
            39, "'range' makes values of the built-in range types"},
        BadRange{"discrete_closed",
                 "      m: {type: int4range, dist: range, lower: {min: 1}, length: {min: 1}, "
                 "bounds: '[]'}\n",
                 8, 84, "bounds of type int4range must be '[)'"},
        BadRange{"empty_share",
                 "      m: {type: daterange, dist: range, lower: {}, length: {}, empty: 1.5}\n", 8,
                 71, "empty must be between 0 and 1, not 1.5"},
        BadRange{"no_length", "      m: {type: tstzrange, dist: range, lower: {}}\n", 8, 34,
                 "distribution 'range' needs 'length'"},
        BadRange{"negative_length",
                 "      m: {type: numrange, dist: range, lower: {}, length: {min: -1, max: 2}}\n",
                 8, 65, "a range's length is never negative"},
        BadRange{"lower_words",
                 "      m: {type: tstzrange, dist: range, lower: {dist: words}, length: {}}\n", 8,
                 55, "distribution 'words' cannot fill t.m.lower of type timestamptz"},
        BadRange{"lower_copy",
                 "      m: {type: tstzrange, dist: range, lower: {dist: copy}, length: {}}\n", 8,
                 55, "lower of column 'm' cannot be drawn by 'copy'"}),
    [](const auto& info) { return std::string(info.param.name); });

}  // namespace
}  // namespace pgshape
