// Words and patterns: the vocabulary's words come out uniformly and in the
// declared counts, and what the encoders copy from a text vector's arena is
// exactly what value() returns, in COPY text, CSV and binary COPY alike.
#include <gtest/gtest.h>

#include <cmath>
#include <cstring>
#include <map>
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
  explicit Generated(const std::string& yaml, uint64_t seed = 11) : GeneratedProfile(yaml, seed) {}
  const TableGenerator& table() const { return GeneratedProfile::table("t"); }
};

std::string one_table(int64_t rows, const std::string& columns) {
  std::string yaml = "name: t\nscales: { s: ";  // appended: GCC 12 -Wrestrict false positive on +
  yaml.append(std::to_string(rows)).append(" }\ntables:\n  t:\n    rows: 1x\n    columns:\n");
  return yaml.append(columns);
}

std::vector<std::string> split(const std::string& text, char sep) {
  std::vector<std::string> out;
  std::string item;
  std::istringstream in(text);
  while (std::getline(in, item, sep)) out.push_back(item);
  return out;
}

double chi_square_critical_001(int dof) {  // Wilson–Hilferty, see zipf_test.cpp
  const double k = dof, z = 3.090232;
  const double t = 1 - 2 / (9 * k) + z * std::sqrt(2 / (9 * k));
  return k * t * t * t;
}

TEST(Words, LoremWordsAreUniformAndCountsCoverTheRange) {
  constexpr int kRows = 40000;
  const Generated g(one_table(
      kRows,
      "      d: { type: text, dist: words, wordlist: lorem, min_words: 4, max_words: 9 }\n"));
  const ColumnGenerator& column = g.table().column(0);
  std::map<std::string, double> words;
  std::map<size_t, double> counts;
  std::string scratch;
  double total = 0;
  for (uint64_t row = 0; row < kRows; ++row) {
    const Datum d = column.value(row, scratch);
    ASSERT_EQ(d.kind, Datum::Kind::kText);
    ASSERT_TRUE(d.plain);
    const auto parts = split(std::string(d.text), ' ');
    ++counts[parts.size()];
    for (const auto& w : parts) {
      ASSERT_FALSE(w.empty()) << "double or edge space in '" << d.text << "'";
      ++words[w];
      ++total;
    }
  }
  // Counts: uniform over 4..9.
  ASSERT_EQ(counts.size(), 6u);
  EXPECT_EQ(counts.begin()->first, 4u);
  EXPECT_EQ(counts.rbegin()->first, 9u);
  double statistic = 0;
  for (auto [n, c] : counts) statistic += std::pow(c - kRows / 6.0, 2) / (kRows / 6.0);
  EXPECT_LT(statistic, chi_square_critical_001(5));
  // Words: uniform over the 62 lorem words (pairs and single words alike).
  ASSERT_EQ(words.size(), 62u);
  statistic = 0;
  for (auto [w, c] : words) statistic += std::pow(c - total / 62, 2) / (total / 62);
  EXPECT_LT(statistic, chi_square_critical_001(61));
}

TEST(Words, PairsAreIndependent) {
  // The first two words of a row come from one pair slot: every ordered pair of
  // a 3-word vocabulary must appear about equally often.
  constexpr int kRows = 45000;
  const Generated g(one_table(kRows,
                              "      d: { type: text, dist: words, words: [red, green, blue], "
                              "min_words: 2, max_words: 2 }\n"));
  std::map<std::string, double> pairs;
  std::string scratch;
  for (uint64_t row = 0; row < kRows; ++row)
    ++pairs[std::string(g.table().column(0).value(row, scratch).text)];
  ASSERT_EQ(pairs.size(), 9u);
  double statistic = 0;
  for (auto [p, c] : pairs) statistic += std::pow(c - kRows / 9.0, 2) / (kRows / 9.0);
  EXPECT_LT(statistic, chi_square_critical_001(8));
}

constexpr const char* kColumns =
    "      id: { type: bigint, primary_key: true }\n"
    "      d: { type: text, dist: words, min_words: 0, max_words: 41, null_fraction: 0.2 }\n"
    "      n: { type: text, dist: words, wordlist: product }\n"
    "      own: { type: varchar(12), dist: words, words: [alpha, beta, \"very long word here\"], "
    "max_words: 5 }\n"
    "      u: { type: varchar(10), dist: words, wordlist: city, unique: true }\n"
    "      sku: { type: varchar(16), dist: pattern, pattern: \"SKU-?\?-######\", unique: true }\n"
    "      code: { type: text, dist: pattern, pattern: \"*#?\\\\##\", null_fraction: 0.1 }\n";

TEST(DirectText, CopyTextCsvAndBinaryCarryWhatValueReturns) {
  constexpr int kRows = 3000;
  const Generated g(one_table(kRows, kColumns));
  const TableGenerator& t = g.table();
  ByteBuffer text_bytes, csv_bytes, binary;
  t.write_copy_text(0, kRows, text_bytes);
  t.write_csv(0, kRows, csv_bytes);
  t.write_copy_binary(0, kRows, binary);
  const std::string text(text_bytes.view()), csv(csv_bytes.view());
  const auto text_lines = split(text, '\n');
  const auto csv_lines = split(csv, '\n');
  ASSERT_EQ(text_lines.size(), static_cast<size_t>(kRows));
  ASSERT_EQ(csv_lines.size(), static_cast<size_t>(kRows));
  size_t at = 0;  // binary reader position
  auto be32 = [&] {
    uint32_t v;
    std::memcpy(&v, binary.data() + at, 4);
    at += 4;
    return static_cast<int32_t>(__builtin_bswap32(v));
  };
  std::vector<std::string> scratch(t.column_count());
  for (uint64_t row = 0; row < kRows; ++row) {
    const auto fields = split(text_lines[row], '\t');
    auto csv_fields = split(csv_lines[row], ',');                  // no commas inside these values
    if (csv_lines[row].ends_with(',')) csv_fields.emplace_back();  // getline drops it
    ASSERT_EQ(fields.size(), t.column_count()) << text_lines[row];
    ASSERT_EQ(csv_fields.size(), t.column_count()) << csv_lines[row];
    ASSERT_LE(at + 2, binary.size());
    at += 2;  // field count
    for (size_t c = 0; c < t.column_count(); ++c) {
      const Datum d = t.column(c).value(row, scratch[c]);
      const int32_t length = be32();
      if (d.kind == Datum::Kind::kNull) {
        EXPECT_EQ(fields[c], "\\N");
        EXPECT_EQ(csv_fields[c], "");
        EXPECT_EQ(length, -1);
        continue;
      }
      if (d.kind != Datum::Kind::kText) {  // the id
        at += static_cast<size_t>(length);
        continue;
      }
      EXPECT_EQ(fields[c], d.text) << "row " << row << " column " << c;
      const std::string& quoted = csv_fields[c];
      ASSERT_GE(quoted.size(), 2u);
      EXPECT_TRUE(quoted.front() == '"' && quoted.back() == '"') << quoted;
      EXPECT_EQ(std::string_view(quoted).substr(1, quoted.size() - 2), d.text) << "row " << row;
      ASSERT_EQ(length, static_cast<int32_t>(d.text.size()));
      EXPECT_EQ(std::string_view(binary.data() + at, d.text.size()), d.text);
      at += d.text.size();
      const Column& column = t.table().columns[c];
      if (column.type.kind == PgType::kVarchar) {
        size_t chars = 0;
        for (unsigned char ch : d.text) chars += (ch & 0xC0) != 0x80;
        EXPECT_LE(chars, static_cast<size_t>(column.type.length)) << d.text;
      }
    }
  }
  EXPECT_EQ(at, binary.size());
}

TEST(DirectText, PatternKeepsLiteralsAndEscapes) {
  const Generated g(one_table(500, kColumns));
  std::string scratch;
  const TableGenerator& t = g.table();
  const auto code = static_cast<size_t>(t.table().column_index("code"));
  const auto sku = static_cast<size_t>(t.table().column_index("sku"));
  for (uint64_t row = 0; row < 500; ++row) {
    const Datum s = t.column(sku).value(row, scratch);
    ASSERT_EQ(s.text.size(), 13u);
    EXPECT_EQ(s.text.substr(0, 4), "SKU-");
    EXPECT_EQ(s.text[6], '-');
    for (size_t i = 7; i < 13; ++i) EXPECT_TRUE(std::isdigit(s.text[i])) << s.text;
    const Datum d = t.column(code).value(row, scratch);
    if (d.kind == Datum::Kind::kNull) continue;
    // "*#?\##": alnum, digit, letter, a literal '#', digit.
    ASSERT_EQ(d.text.size(), 5u) << d.text;
    EXPECT_TRUE(std::isalnum(d.text[0])) << d.text;
    EXPECT_TRUE(std::isdigit(d.text[1])) << d.text;
    EXPECT_TRUE(std::isupper(d.text[2])) << d.text;
    EXPECT_EQ(d.text[3], '#') << d.text;
    EXPECT_TRUE(std::isdigit(d.text[4])) << d.text;
  }
}

}  // namespace
}  // namespace pgshape
