// TableGenerator::write_copy_text: the exact bytes PostgreSQL's COPY reads —
// escaping, NULLs, temporal and numeric forms — and determinism of row ranges.
#include <gtest/gtest.h>

#include <memory>
#include <sstream>
#include <string>
#include <vector>

#include "generated_profile.hpp"
#include "pgshape/gen.hpp"
#include "pgshape/profile.hpp"

namespace pgshape {
namespace {

struct Generated : testing::GeneratedProfile {
  explicit Generated(const std::string& yaml, uint64_t seed = 1) : GeneratedProfile(yaml, seed) {}
  std::string copy(std::string_view table, uint64_t begin, uint64_t end) const {
    ByteBuffer out;
    data->table(table).write_copy_text(begin, end, out);
    return std::string(out.view());
  }
};

std::vector<std::string> split(const std::string& text, char sep) {
  std::vector<std::string> out;
  std::string item;
  std::istringstream in(text);
  while (std::getline(in, item, sep)) out.push_back(item);
  return out;
}

// Weighted columns with one value are constants: each column's text is known.
const char* kFormats = R"yaml(name: t
scales: { s: 4 }
tables:
  t:
    rows: 1x
    columns:
      tabbed: { type: text, dist: weighted, values: { "a\tb": 1 } }
      lines: { type: text, dist: weighted, values: { "one\ntwo\r": 1 } }
      slash: { type: text, dist: weighted, values: { "C:\\dir\\N": 1 } }
      at: { type: timestamptz, dist: weighted, values: { "2024-01-02 03:04:05": 1 } }
      plain_ts: { type: timestamp, dist: weighted, values: { "2024-01-02 03:04:05.25": 1 } }
      day: { type: date, dist: weighted, values: { "2024-02-29": 1 } }
      price: { type: "numeric(10,2)", dist: weighted, values: { "12.5": 1 } }
      whole: { type: "numeric(10,2)", dist: weighted, values: { "7": 1 } }
      yes: { type: boolean, dist: bernoulli, p: 1 }
      no: { type: boolean, dist: bernoulli, p: 0 }
      big: { type: bigint, dist: weighted, values: { "-9223372036854775807": 1 } }
      uuid: { type: uuid }
)yaml";

TEST(CopyText, FormatsEveryTypeAsPostgresReadsIt) {
  const Generated g(kFormats);
  const std::string out = g.copy("t", 0, 4);
  const auto lines = split(out, '\n');
  ASSERT_EQ(lines.size(), 4u) << "one line per row, newline-terminated; embedded newlines escaped";
  EXPECT_EQ(out.back(), '\n');
  for (const auto& line : lines) {
    const auto fields = split(line, '\t');
    ASSERT_EQ(fields.size(), 12u) << line;
    EXPECT_EQ(fields[0], "a\\tb");
    EXPECT_EQ(fields[1], "one\\ntwo\\r");
    EXPECT_EQ(fields[2], "C:\\\\dir\\\\N") << "a backslash doubles, so \\N is not NULL";
    EXPECT_EQ(fields[3], "2024-01-02 03:04:05+00");
    EXPECT_EQ(fields[4], "2024-01-02 03:04:05.250000");
    EXPECT_EQ(fields[5], "2024-02-29");
    EXPECT_EQ(fields[6], "12.50");
    EXPECT_EQ(fields[7], "7.00");
    EXPECT_EQ(fields[8], "t");
    EXPECT_EQ(fields[9], "f");
    EXPECT_EQ(fields[10], "-9223372036854775807");
    ASSERT_EQ(fields[11].size(), 36u);
    EXPECT_EQ(fields[11][14], '4') << "version 4 UUID: " << fields[11];
  }
}

TEST(CopyText, NullIsBackslashNAndNeverQuoted) {
  const Generated g(R"yaml(name: t
scales: { s: 2000 }
tables:
  t:
    rows: 1x
    columns:
      id: { type: bigint, primary_key: true }
      note: { type: text, dist: weighted, values: { "x": 1 }, null_fraction: 0.5 }
)yaml");
  int nulls = 0, values = 0;
  for (const auto& line : split(g.copy("t", 0, 2000), '\n')) {
    const auto fields = split(line, '\t');
    ASSERT_EQ(fields.size(), 2u);
    if (fields[1] == "\\N")
      ++nulls;
    else if (fields[1] == "x")
      ++values;
    else
      FAIL() << "unexpected field '" << fields[1] << "'";
  }
  EXPECT_EQ(nulls + values, 2000);
  // Binomial(2000, 0.5): sd 22.4, 4 sigma = 90.
  EXPECT_NEAR(nulls, 1000, 90);
}

TEST(CopyText, NumericScaleRoundsToItsDigits) {
  const Generated g(R"yaml(name: t
scales: { s: 500 }
tables:
  t:
    rows: 1x
    columns:
      price: { type: "numeric(10,2)", dist: lognormal, mu: 3, sigma: 1, min: 0.99, max: 9999 }
      ratio: { type: "numeric(6,4)", dist: uniform, min: 0, max: 1 }
)yaml");
  for (const auto& line : split(g.copy("t", 0, 500), '\n')) {
    const auto fields = split(line, '\t');
    ASSERT_EQ(fields.size(), 2u);
    const auto dot0 = fields[0].find('.'), dot1 = fields[1].find('.');
    ASSERT_NE(dot0, std::string::npos) << fields[0];
    EXPECT_EQ(fields[0].size() - dot0 - 1, 2u) << fields[0];
    ASSERT_NE(dot1, std::string::npos) << fields[1];
    EXPECT_EQ(fields[1].size() - dot1 - 1, 4u) << fields[1];
    EXPECT_GE(std::stod(fields[0]), 0.99);
    EXPECT_LE(std::stod(fields[0]), 9999);
  }
}

const char* kShopLike = R"yaml(name: t
scales: { s: 3000 }
tables:
  products:
    rows: 1x
    columns:
      id: { type: bigint, primary_key: true }
      sku: { type: varchar(16), dist: pattern, pattern: "SKU-??-######", unique: true }
      name: { type: text, dist: words, wordlist: product }
      price: { type: "numeric(10,2)", dist: lognormal, mu: 3.3, sigma: 0.9, min: 0.99, max: 9999 }
      created_at: { type: timestamptz, dist: uniform, min: "2017-01-01", max: "2024-06-01" }
      active: { type: boolean, dist: bernoulli, p: 0.93 }
  items:
    rows: 3x
    columns:
      id: { type: bigint, primary_key: true }
      product_id: { type: bigint, ref: products.id, dist: hotset, hot: 3, share: 0.6 }
      price: { type: "numeric(10,2)", dist: copy, from: product_id.price }
      note: { type: text, dist: words, null_fraction: 0.1 }
      at: { type: timestamptz, dist: timeline, min: "2019-01-01", max: "2024-06-01", jitter: 0.01 }
)yaml";

TEST(Determinism, OneRangeEqualsTwoHalves) {
  const Generated g(kShopLike, 77);
  for (const char* table : {"products", "items"}) {
    const uint64_t rows = static_cast<uint64_t>(g.data->table(table).rows());
    const std::string whole = g.copy(table, 0, rows);
    const std::string halves = g.copy(table, 0, rows / 2 - 7) + g.copy(table, rows / 2 - 7, rows);
    EXPECT_EQ(whole, halves) << table;
  }
}

TEST(Determinism, SameSeedSameBytesOtherSeedOtherBytes) {
  const Generated a(kShopLike, 77), b(kShopLike, 77), c(kShopLike, 78);
  EXPECT_EQ(a.copy("items", 0, 9000), b.copy("items", 0, 9000));
  EXPECT_NE(a.copy("items", 0, 9000), c.copy("items", 0, 9000));
  EXPECT_EQ(a.copy("products", 100, 200), b.copy("products", 100, 200));
}

TEST(Determinism, RowsDoNotDependOnWhereTheRangeStarts) {
  const Generated g(kShopLike, 5);
  const std::string all = g.copy("items", 0, 100);
  const auto lines = split(all, '\n');
  for (uint64_t row : {0u, 1u, 50u, 99u})
    EXPECT_EQ(g.copy("items", row, row + 1), lines[row] + "\n") << row;
}

}  // namespace
}  // namespace pgshape
