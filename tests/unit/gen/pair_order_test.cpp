// The heap order of a composite key built by pairing when the profile stores
// the table along it (cluster: <its first column>, gen/pair_order.hpp): the rows still a
// permutation of the shuffled table's pairs (same counts of each value, no duplicate key), each
// family's rows together and families in value order, its members by count then value, the first
// column's correlation (measured as ANALYZE does, ties by heap position) near the one asked for,
// shards equal to the whole, and the key validated where it is written.
#include <gtest/gtest.h>

#include <algorithm>
#include <cmath>
#include <map>
#include <string>
#include <vector>

#include "generated_profile.hpp"
#include "pgshape/gen.hpp"
#include "pgshape/profile.hpp"

namespace pgshape {
namespace {

constexpr int64_t kRows = 20000;

// a: 300 values, zipf-skewed; as an empirical column when `correlation` is given.
// b: zipf over 100,000 unless given.
std::string profile(const std::string& cluster, const std::string& correlation = "",
                    const std::string& b = "{ type: integer, dist: zipf, n: 100000, s: 0.6 }") {
  std::string a = "{ type: integer, dist: zipf, n: 300, s: 1.1 }";
  if (!correlation.empty()) {
    a = "{ type: integer, dist: empirical, values: {";
    for (int v = 1; v <= 30; ++v)
      a += (v > 1 ? ", " : " ") + std::to_string(v * 7) + ": " + std::to_string(0.1 / v);
    a +=
        " }, n_distinct: 300, histogram: [300, 600, 900, 1200, 1500], correlation: " + correlation +
        " }";
  }
  return "name: t\nscales: { s: " + std::to_string(kRows) +
         " }\ntables:\n  t:\n    rows: 1x\n    primary_key: [a, b]\n" + cluster +
         "    columns:\n      a: " + a + "\n      b: " + b + "\n";
}

struct Rows {
  std::vector<int64_t> a, b;
};

Rows rows_of(const std::string& yaml) {
  const testing::GeneratedProfile g(yaml, 5);
  const TableGenerator& t = g.table("t");
  Rows out;
  Batch batch(t.column_count());
  for (uint64_t begin = 0; begin < kRows; begin += 4096) {
    const size_t size = static_cast<size_t>(std::min<uint64_t>(4096, kRows - begin));
    t.fill(Selection::range(begin, size), batch);
    for (size_t i = 0; i < size; ++i) {
      out.a.push_back(batch.column(0).ints()[i]);
      out.b.push_back(batch.column(1).ints()[i]);
    }
  }
  return out;
}

// pg_stats.correlation as ANALYZE computes it over every row: the rank of each
// value (ties broken by heap position) against the heap position.
double correlation(const std::vector<int64_t>& v) {
  std::vector<std::pair<int64_t, size_t>> keys;
  for (size_t i = 0; i < v.size(); ++i) keys.emplace_back(v[i], i);
  std::sort(keys.begin(), keys.end());
  const double n = static_cast<double>(v.size());
  double xy = 0;
  for (size_t i = 0; i < keys.size(); ++i)
    xy += static_cast<double>(i) * static_cast<double>(keys[i].second);
  const double mean = (n - 1) / 2, var = (n * n - 1) / 12;
  return (xy / n - mean * mean) / var;
}

std::map<int64_t, int64_t> counts(const std::vector<int64_t>& v) {
  std::map<int64_t, int64_t> out;
  for (int64_t x : v) ++out[x];
  return out;
}

TEST(PairOrder, ClusteredRowsAreTheShuffledPairsAlongTheKey) {
  // b's values kept as runs (zipf ranks, uniform integers: keys ascend with
  // values) or listed and sorted (from a sample: a normal's).
  for (const std::string b : {"{ type: integer, dist: zipf, n: 100000, s: 0.6 }",
                              "{ type: integer, dist: uniform, min: 1, max: 30000 }",
                              "{ type: integer, dist: normal, mean: 0, stddev: 100000 }"}) {
    SCOPED_TRACE(b);
    const Rows shuffled = rows_of(profile("", "", b));
    const Rows along = rows_of(profile("    cluster: a\n", "", b));
    // The same values as often: only the heap order changed.
    EXPECT_EQ(counts(along.a), counts(shuffled.a));
    EXPECT_EQ(counts(along.b), counts(shuffled.b));
    std::vector<std::pair<int64_t, int64_t>> keys;
    for (size_t i = 0; i < along.a.size(); ++i) keys.emplace_back(along.a[i], along.b[i]);
    std::sort(keys.begin(), keys.end());
    EXPECT_EQ(std::adjacent_find(keys.begin(), keys.end()), keys.end()) << "duplicate key";
    // Families together in value order; within one, members by count, then value.
    const auto b_count = counts(along.b);
    for (size_t i = 1; i < along.a.size(); ++i) {
      ASSERT_LE(along.a[i - 1], along.a[i]) << "row " << i;
      if (along.a[i - 1] != along.a[i]) continue;
      const int64_t before = b_count.at(along.b[i - 1]), now = b_count.at(along.b[i]);
      ASSERT_TRUE(before > now || (before == now && along.b[i - 1] < along.b[i]))
          << "row " << i << ": b " << along.b[i - 1] << " (" << before << " rows) before "
          << along.b[i] << " (" << now << ")";
    }
    EXPECT_DOUBLE_EQ(correlation(along.a), 1);
    // Shuffled, a's correlation is what its ties give (sum of squared shares, ~0.1 here).
    EXPECT_LT(std::fabs(correlation(shuffled.a)), 0.2);
  }
}

TEST(PairOrder, CorrelationInBetweenAndDescending) {
  for (double r : {0.55, 0.8, -0.6}) {
    const Rows v = rows_of(profile("    cluster: a\n", std::to_string(r)));
    // ANALYZE samples 30,000 rows; over all 20,000 the solved order is within 0.03.
    EXPECT_NEAR(correlation(v.a), r, 0.03) << "asked for " << r;
    std::vector<std::pair<int64_t, int64_t>> keys;
    for (size_t i = 0; i < v.a.size(); ++i) keys.emplace_back(v.a[i], v.b[i]);
    std::sort(keys.begin(), keys.end());
    EXPECT_EQ(std::adjacent_find(keys.begin(), keys.end()), keys.end()) << "duplicate key";
  }
  const Rows down = rows_of(profile("    cluster: a\n", "-1"));
  for (size_t i = 1; i < down.a.size(); ++i) ASSERT_GE(down.a[i - 1], down.a[i]) << "row " << i;
}

TEST(PairOrder, ShardsAndSingleRowsEqualTheWhole) {
  const testing::GeneratedProfile g(profile("    cluster: a\n", "0.7"), 9);
  const TableGenerator& t = g.table("t");
  ByteBuffer whole, shards;
  t.write_copy_text(0, kRows, whole);
  for (int s = 0; s < 3; ++s) {
    const RowRange r = shard_rows(kRows, s, 3);
    t.write_copy_text(r.begin, r.end, shards);
  }
  ASSERT_EQ(std::string_view(whole.data(), whole.size()),
            std::string_view(shards.data(), shards.size()));
  ByteBuffer again;
  t.write_copy_text(0, kRows, again);
  EXPECT_EQ(std::string_view(whole.data(), whole.size()),
            std::string_view(again.data(), again.size()));
}

std::string problems(const std::string& yaml) {
  try {
    parse_profile(yaml, "t.yaml");
  } catch (const ProfileError& e) {
    std::string out;
    for (const auto& d : e.diagnostics()) out += d.to_string() + "\n";
    return out;
  }
  return "";
}

TEST(PairOrder, ValidationNamesWhereTheClusterIsWritten) {
  EXPECT_EQ(problems(profile("    cluster: a\n", "0.9")), "");
  // b is the key's second column: the order is the pairing's, by its first.
  const std::string second = problems(profile("    cluster: b\n"));
  EXPECT_NE(second.find("t.yaml:7:14: "), std::string::npos) << second;
  EXPECT_NE(second.find("cluster 'b' of table 't' is no fanout foreign key of it, nor the first "
                        "column of a composite key built by pairing"),
            std::string::npos)
      << second;
  const std::string unknown = problems(profile("    cluster: c\n"));
  EXPECT_NE(unknown.find("t.yaml:7:14: "), std::string::npos) << unknown;
  EXPECT_NE(unknown.find("cluster 'c' of table 't' is no fanout foreign key"), std::string::npos)
      << unknown;
}

}  // namespace
}  // namespace pgshape
