// dist: array and dist: document against the parameters they are built from,
// measured over every row as ANALYZE would over a whole table: each listed
// element's share of the non-NULL rows, the distinct elements per row, the
// tail's elements each staying under `rest`; a document's key sets and key
// values by their weights. Fixed seeds, bounds stated per assertion (4
// standard errors of a binomial share unless said). Shards byte-identical.
#include <gtest/gtest.h>

#include <fmt/format.h>
#include <nlohmann/json.hpp>

#include <cmath>
#include <map>
#include <set>
#include <string>
#include <vector>

#include "gen/array_gen.hpp"
#include "generated_profile.hpp"

namespace pgshape {
namespace {

using testing::GeneratedProfile;

constexpr int64_t kRows = 40000;

std::string profile(const std::string& columns) {
  return fmt::format("name: e\nscales:\n  s: {}\ntables:\n  t:\n    rows: 1x\n    columns:\n{}",
                     kRows, columns);
}

// Every row's value as text, nullopt for NULL.
std::vector<std::optional<std::string>> values(const GeneratedProfile& g,
                                               const std::string& column) {
  const ColumnGenerator& gen = g.column("t", column);
  std::vector<std::optional<std::string>> out;
  std::string scratch;
  for (uint64_t row = 0; row < static_cast<uint64_t>(kRows); ++row) {
    const Datum d = gen.value(row, scratch);
    if (d.kind == Datum::Kind::kNull)
      out.emplace_back();
    else
      out.emplace_back(std::string(d.text));
  }
  return out;
}

// The items of a one-dimensional array literal, unquoted: {a,"b c"} -> a, b c.
std::vector<std::string> items(const std::string& text) {
  std::vector<std::string> out;
  EXPECT_GE(text.size(), 2u);
  EXPECT_EQ(text.front(), '{');
  EXPECT_EQ(text.back(), '}');
  std::string item;
  bool quoted = false, any = false;
  for (size_t i = 1; i + 1 < text.size(); ++i) {
    const char c = text[i];
    any = true;
    if (quoted && c == '\\') {
      item += text[++i];
    } else if (c == '"') {
      quoted = !quoted;
    } else if (c == ',' && !quoted) {
      out.push_back(item);
      item.clear();
    } else {
      item += c;
    }
  }
  if (any) out.push_back(item);
  return out;
}

double bound(double p, double n) {
  return 4 * std::sqrt(p * (1 - p) / n) + 1e-9;
}

const char* kTags = R"(      tags:
        type: "text[]"
        null_fraction: 0.1
        dist: array
        elements:
          values: {red: 0.62, "dark blue": 0.31, "NULL": 0.12, "x,y": 0.05, "q\"t": 0.02}
          rest: 0.001
        lengths: [0, 1, 1, 2, 2, 3, 3, 4, 6, 9]
)";

TEST(ArrayGenerator, ListedElementsHoldTheirShareOfRowsAndLengthsFollowTheHistogram) {
  GeneratedProfile g(profile(kTags), 7);
  const auto rows = values(g, "tags");
  std::map<std::string, double> rows_with;
  std::map<std::string, double> tail_rows;
  double non_null = 0, length_sum = 0, nulls = 0;
  for (const auto& v : rows) {
    if (!v) {
      ++nulls;
      continue;
    }
    ++non_null;
    const auto elements = items(*v);
    std::set<std::string> distinct(elements.begin(), elements.end());
    EXPECT_EQ(distinct.size(), elements.size()) << "an element twice in " << *v;
    length_sum += static_cast<double>(distinct.size());
    for (const auto& e : distinct) {
      rows_with[e] += 1;
      if (e != "red" && e != "dark blue" && e != "NULL" && e != "x,y" && e != "q\"t")
        tail_rows[e] += 1;
    }
  }
  EXPECT_NEAR(nulls / kRows, 0.1, bound(0.1, kRows));
  const std::map<std::string, double> expected = {
      {"red", 0.62}, {"dark blue", 0.31}, {"NULL", 0.12}, {"x,y", 0.05}, {"q\"t", 0.02}};
  for (const auto& [e, f] : expected)
    EXPECT_NEAR(rows_with[e] / non_null, f, bound(f, non_null)) << e;
  // The histogram's mean length: its buckets' lengths, each bucket 1/9 of the rows.
  const gen::ArrayShape shape(g.table("t").table().find_column("tags")->dist);
  // Rows whose listed elements outnumber their drawn length keep them all, so
  // the mean is at least the histogram's and at most 5 % above.
  EXPECT_GE(length_sum / non_null, shape.mean * 0.98);
  EXPECT_LE(length_sum / non_null, shape.mean * 1.05);
  // The tail: many elements, none as frequent as the least listed one (2 %);
  // each near `rest` (0.1 %): below 4x it.
  EXPECT_GT(tail_rows.size(), 100u);
  double most = 0;
  for (const auto& [e, n] : tail_rows) most = std::max(most, n / non_null);
  EXPECT_LT(most, 0.004);
}

TEST(ArrayGenerator, IntegerArraysHaveTailElementsOutsideTheListAndValidLiterals) {
  GeneratedProfile g(profile(R"(      codes:
        type: "integer[]"
        dist: array
        elements: {values: {"7": 0.5, "-3": 0.2, "100": 0.01}, rest: 0.0005}
        lengths: [1, 1, 2, 3, 5]
)"),
                     11);
  double with7 = 0, tail = 0, elements = 0;
  for (const auto& v : values(g, "codes")) {
    ASSERT_TRUE(v);
    for (const auto& e : items(*v)) {
      const long n = std::stol(e);
      EXPECT_EQ(std::to_string(n), e);
      with7 += n == 7;
      tail += n > 100;
      elements += 1;
    }
  }
  EXPECT_NEAR(with7 / kRows, 0.5, bound(0.5, kRows));
  EXPECT_GT(tail, 0.3 * elements);  // mean 2.4 per row, 0.71 listed
}

std::string copy_text(const TableGenerator& table, uint64_t begin, uint64_t end) {
  struct Sink : RowSink {
    std::string bytes;
    void write(std::string_view b) override { bytes.append(b); }
  } sink;
  RowStream(table, RowFormat::kCopyText, RowRange{begin, end}).write_to(sink);
  return sink.bytes;
}

TEST(ArrayGenerator, ShardsAreByteIdenticalToTheWholeTable) {
  const std::string yaml = profile(std::string(kTags) + R"(      attrs:
        type: jsonb
        dist: document
        key_sets: {'["color", "size"]': 3, '["color"]': 1, '[]': 0.1}
        keys: {color: {'"red"': 2, '"blue"': 1}, size: {'1': 1, '{"w": 2}': 1}}
)");
  GeneratedProfile g(yaml, 3);
  const std::string whole = copy_text(g.table("t"), 0, kRows);
  std::string pieces;
  for (int k = 0; k < 3; ++k) {
    const RowRange shard = shard_rows(kRows, k, 3);
    pieces += copy_text(g.table("t"), shard.begin, shard.end);
  }
  EXPECT_TRUE(whole == pieces);
  GeneratedProfile again(yaml, 3);  // the same seed: the same bytes
  EXPECT_TRUE(copy_text(again.table("t"), 0, kRows) == whole);
  GeneratedProfile other(yaml, 4);
  EXPECT_FALSE(copy_text(other.table("t"), 0, kRows) == whole);
}

TEST(DocumentGenerator, KeySetsAndValuesFollowTheirWeights) {
  GeneratedProfile g(profile(R"(      attrs:
        type: jsonb
        null_fraction: 0.05
        dist: document
        key_sets: {'["color", "size"]': 0.6, '["color"]': 0.3, '["promo"]': 0.1}
        keys:
          color: {'"red"': 0.45, '"blue"': 0.4, '"pur\"ple"': 0.05}
          size: {'1': 0.3, '2': 0.3, '{"w": [1, 2]}': 0.2}
          promo: {'true': 1}
)"),
                     5);
  double docs = 0, red = 0, with_size = 0, nested = 0, promo = 0;
  for (const auto& v : values(g, "attrs")) {
    if (!v) continue;
    const auto doc = nlohmann::json::parse(*v);  // throws (fails) unless JSON
    ASSERT_TRUE(doc.is_object());
    ++docs;
    red += doc.contains("color") && doc["color"] == "red";
    with_size += doc.contains("size");
    nested += doc.contains("size") && doc["size"].is_object();
    promo += doc.contains("promo") && doc.size() == 1;
    if (doc.contains("color")) {
      EXPECT_TRUE(doc["color"].is_string());
    }
  }
  EXPECT_NEAR(docs / kRows, 0.95, bound(0.95, kRows));
  // color in 0.9 of the documents, red 0.45 of its weights' 0.9.
  EXPECT_NEAR(red / docs, 0.9 * 0.45 / 0.9, bound(0.45, docs));
  EXPECT_NEAR(with_size / docs, 0.6, bound(0.6, docs));
  EXPECT_NEAR(nested / docs, 0.6 * 0.25, bound(0.15, docs));
  EXPECT_NEAR(promo / docs, 0.1, bound(0.1, docs));
}

TEST(ElementProfiles, BadParametersGetPositionedMessages) {
  auto error_of = [](const std::string& column) {
    try {
      parse_profile(profile(column), "t.yaml");
    } catch (const Error& e) {
      return std::string(e.what());
    }
    return std::string("no error");
  };
  EXPECT_NE(error_of("      a: {type: integer, dist: array, elements: {values: {x: 0.1}}, "
                     "lengths: [1, 2]}\n")
                .find("'array' makes arrays"),
            std::string::npos);
  EXPECT_NE(error_of("      a: {type: \"integer[]\", dist: array, elements: {values: {x: 0.1}}, "
                     "lengths: [1, 2]}\n")
                .find("element 'x' is not a valid integer"),
            std::string::npos);
  EXPECT_NE(error_of("      a: {type: \"text[]\", dist: array, elements: {values: {x: 1.5}}, "
                     "lengths: [1, 2]}\n")
                .find("must be in (0, 1]"),
            std::string::npos);
  EXPECT_NE(error_of("      a: {type: \"text[]\", dist: array, elements: {values: {x: 0.5}}, "
                     "lengths: [3, 2]}\n")
                .find("lengths must be sorted"),
            std::string::npos);
  EXPECT_NE(error_of("      a: {type: \"text[]\", dist: array, elements: {values: {x: 0.5}, "
                     "rest: 0.7}, lengths: [1, 2]}\n")
                .find("rest must be between 0 and the least share"),
            std::string::npos);
  EXPECT_NE(error_of("      a: {type: jsonb, dist: document, key_sets: {'[\"k\"]': 1}, "
                     "keys: {k: {'nope': 1}}}\n")
                .find("is not JSON"),
            std::string::npos);
  EXPECT_NE(error_of("      a: {type: jsonb, dist: document, key_sets: {'[\"j\"]': 1}, "
                     "keys: {k: {'1': 1}}}\n")
                .find("names key 'j'"),
            std::string::npos);
  EXPECT_NE(error_of("      a: {type: \"text[]\", dist: document, key_sets: {'[]': 1}, "
                     "keys: {}}\n")
                .find("'document' makes jsonb objects"),
            std::string::npos);
  // The message is positioned: file:line:column.
  EXPECT_NE(error_of("      a: {type: \"text[]\", dist: array, elements: {values: {x: 1.5}}, "
                     "lengths: [1, 2]}\n")
                .find("t.yaml:8:"),
            std::string::npos);
}

TEST(ArrayElementText, QuotesWhatArrayInputWouldMisread) {
  EXPECT_EQ(gen::array_element_text("red"), "red");
  EXPECT_EQ(gen::array_element_text("dark blue"), "\"dark blue\"");
  EXPECT_EQ(gen::array_element_text("null"), "\"null\"");
  EXPECT_EQ(gen::array_element_text(""), "\"\"");
  EXPECT_EQ(gen::array_element_text("a,b"), "\"a,b\"");
  EXPECT_EQ(gen::array_element_text("q\"t\\"), "\"q\\\"t\\\\\"");
  EXPECT_EQ(gen::array_element_text("{x}"), "\"{x}\"");
}

}  // namespace
}  // namespace pgshape
