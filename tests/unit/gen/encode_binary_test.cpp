// The binary COPY encoder: the stream's framing, each type's payload, and
// numerics decoded the way numeric_out prints them equal the text encoder's
// characters. (tests/integration/load/binary_copy_test.cpp checks the same on
// a real server.)
#include <gtest/gtest.h>

#include <bit>
#include <charconv>
#include <cstring>
#include <random>
#include <string>

#include "gen/encode.hpp"
#include "pgshape/gen.hpp"
#include "pgshape/profile.hpp"

namespace pgshape {
namespace {

// Reads a big-endian binary COPY stream back field by field.
class Reader {
 public:
  explicit Reader(std::string_view data) : data_(data) {}
  template <class T>
  T get() {
    T v;
    EXPECT_GE(data_.size(), sizeof(T));
    unsigned char bytes[sizeof(T)];
    std::memcpy(bytes, data_.data(), sizeof(T));
    std::reverse(bytes, bytes + sizeof(T));  // tests run on little-endian machines
    std::memcpy(&v, bytes, sizeof(T));
    data_.remove_prefix(sizeof(T));
    return v;
  }
  std::string_view bytes(size_t n) {
    std::string_view out = data_.substr(0, n);
    data_.remove_prefix(n);
    return out;
  }
  bool empty() const { return data_.empty(); }

 private:
  std::string_view data_;
};

// numeric_out's text of a binary numeric: base-10000 digits, weight, dscale.
std::string numeric_text(Reader& r) {
  const auto ndigits = r.get<int16_t>();
  const auto weight = r.get<int16_t>();
  const auto sign = r.get<uint16_t>();
  const auto dscale = r.get<uint16_t>();
  std::vector<int> digits(static_cast<size_t>(ndigits));
  for (auto& d : digits) d = r.get<int16_t>();
  auto digit = [&](int group) {  // group 0 = units, may lie outside the stored digits
    const int index = weight - group;
    return index >= 0 && index < ndigits ? digits[static_cast<size_t>(index)] : 0;
  };
  std::string out = sign == 0x4000 ? "-" : "";
  std::string whole;
  for (int g = std::max<int>(weight, 0); g >= 0; --g) {
    char buf[5];
    std::snprintf(buf, sizeof buf, "%04d", digit(g));
    whole += buf;
  }
  whole.erase(0, std::min(whole.find_first_not_of('0'), whole.size() - 1));
  out += whole;
  if (dscale > 0) {
    out += '.';
    std::string fraction;
    for (int g = -1; static_cast<int>(fraction.size()) < dscale; --g) {
      char buf[5];
      std::snprintf(buf, sizeof buf, "%04d", digit(g));
      fraction += buf;
    }
    out += fraction.substr(0, dscale);
  }
  return out;
}

TEST(FormatFixed, MatchesToCharsFixedIncludingTiesAndNegativeZero) {
  std::mt19937_64 rng(42);
  std::uniform_real_distribution<double> magnitude(-3, 9);
  std::vector<double> values = {
      0.125, 2.675, 1.005,    0.5,  1.5,           2.5,   -0.001,
      -0.0,  0.0,   9999.995, 1e15, 123456789.125, 0.045, 4503599627370495.5};
  for (int i = 0; i < 200000; ++i) {
    double v = std::pow(10.0, magnitude(rng)) * (rng() % 2 ? 1 : -1);
    if (i % 3 == 0) v = std::round(v * 1000) / 1000;  // many near-ties at 2 places
    values.push_back(v);
  }
  for (double v : values) {
    for (int scale : {0, 1, 2, 3, 6, 12}) {
      char expected[512], got[gen::kFixedBufferSize];
      auto [end, ec] =
          std::to_chars(expected, expected + sizeof expected, v, std::chars_format::fixed, scale);
      ASSERT_EQ(ec, std::errc());
      const size_t n = gen::format_fixed(got, v, scale);
      ASSERT_EQ(std::string_view(got, n), std::string_view(expected, end - expected))
          << "value " << v << " scale " << scale;
    }
  }
}

// clang-format off (a YAML document)
constexpr const char* kProfile = R"yaml(
name: types
seed: 7
scales: { s: 3000 }
tables:
  t:
    rows: 1x
    columns:
      id: { type: bigint, primary_key: true, dist: sequence }
      i4: { type: integer, dist: uniform, min: -100000, max: 100000 }
      i2: { type: smallint, dist: uniform, min: -300, max: 300 }
      n: { type: "numeric(12,3)", dist: normal, mean: 0, stddev: 50000, null_fraction: 0.2 }
      n0: { type: "numeric(10,0)", dist: uniform, min: -99999, max: 99999 }
      nu: { type: numeric, dist: lognormal, mu: 1, sigma: 3 }
      n1: { type: "numeric(6,1)", dist: uniform, min: -0.3, max: 0.3 }
      n7: { type: "numeric(30,7)", dist: lognormal, mu: 0, sigma: 6, max: 1e22 }
      n15: { type: "numeric(30,15)", dist: normal, mean: 0, stddev: 2 }
      n16: { type: "numeric(40,16)", dist: normal, mean: 0, stddev: 2 }
      nbig: { type: "numeric(30,2)", dist: normal, mean: 0, stddev: 1e14 }
      # Zero groups at both ends and in the middle, around the 10^4 and 10^8 edges.
      nz: { type: "numeric(12,2)", dist: weighted, values: { "0.5": 1, "10000.5": 1, "0.01": 1,
            "20000.25": 1, "-10000.75": 1, "99990000.5": 1, "99999999.99": 1, "100000000.01": 1,
            "10000.0001": 1, "-0.05": 1, "0.0": 1, "1.5": 1 } }
      nz4: { type: "numeric(14,4)", dist: weighted, values: { "0.0001": 1, "10000.0001": 1,
             "-9999.9999": 1, "0.5": 1, "100000000.5": 1 } }
      r: { type: real, dist: normal, mean: 0, stddev: 1000 }
      d: { type: double precision, dist: normal, mean: 0, stddev: 1e6 }
      tx: { type: text, dist: words, wordlist: lorem, min_words: 0, max_words: 5 }
      vc: { type: varchar(10), dist: pattern, pattern: "AB-####" }
      b: { type: boolean, dist: bernoulli, p: 0.5 }
      dt: { type: date, dist: uniform, min: "1990-01-01", max: "2030-01-01" }
      ts: { type: timestamp, dist: uniform, min: "1990-01-01", max: "2030-01-01" }
      tz: { type: timestamptz, dist: uniform, min: "1990-01-01", max: "2030-01-01" }
      u: { type: uuid, dist: uuid, null_fraction: 0.1 }
)yaml";
// clang-format on

class BinaryCopy : public ::testing::Test {
 protected:
  Profile profile_ = parse_profile(kProfile, "types.yaml");
  DatasetGenerator generator_{profile_, profile_.scales[0], 7};
};

TEST_F(BinaryCopy, HeaderAndTrailerAreWhatTheServerExpects) {
  EXPECT_EQ(copy_binary_header(), std::string_view("PGCOPY\n\377\r\n\0\0\0\0\0\0\0\0\0", 19));
  EXPECT_EQ(copy_binary_trailer(), std::string_view("\xff\xff", 2));
}

TEST_F(BinaryCopy, EveryFieldDecodesToTheTextEncodersValue) {
  const TableGenerator& t = generator_.table("t");
  ByteBuffer binary_bytes, text_bytes;
  t.write_copy_binary(0, static_cast<uint64_t>(t.rows()), binary_bytes);
  t.write_copy_text(0, static_cast<uint64_t>(t.rows()), text_bytes);
  const std::string_view binary = binary_bytes.view(), text = text_bytes.view();
  Reader r(binary);
  size_t line_start = 0;
  int nulls = 0;
  for (int64_t row = 0; row < t.rows(); ++row) {
    const size_t line_end = text.find('\n', line_start);
    std::string_view line(text.data() + line_start, line_end - line_start);
    line_start = line_end + 1;
    std::vector<std::string_view> fields;
    for (size_t at = 0;;) {
      const size_t tab = line.find('\t', at);
      fields.push_back(
          line.substr(at, tab == std::string_view::npos ? line.size() - at : tab - at));
      if (tab == std::string_view::npos) break;
      at = tab + 1;
    }
    ASSERT_EQ(r.get<int16_t>(), static_cast<int16_t>(t.column_count()));
    for (size_t c = 0; c < t.column_count(); ++c) {
      const std::string_view expected = fields[c];
      const auto length = r.get<int32_t>();
      const Column& column = t.table().columns[c];
      SCOPED_TRACE(column.name + " row " + std::to_string(row));
      if (length < 0) {
        EXPECT_EQ(expected, "\\N");
        ++nulls;
        continue;
      }
      switch (column.type.kind) {
        case PgType::kBigint:
          EXPECT_EQ(std::to_string(r.get<int64_t>()), expected);
          break;
        case PgType::kInteger:
          EXPECT_EQ(std::to_string(r.get<int32_t>()), expected);
          break;
        case PgType::kSmallint:
          EXPECT_EQ(std::to_string(r.get<int16_t>()), expected);
          break;
        case PgType::kNumeric: {
          // numeric has no negative zero: numeric_in reads "-0.0" as 0.0.
          const bool negative_zero = expected.starts_with('-') &&
                                     expected.find_first_not_of("-0.") == std::string_view::npos;
          EXPECT_EQ(numeric_text(r), negative_zero ? expected.substr(1) : expected);
          break;
        }
        case PgType::kReal: {
          float f = std::bit_cast<float>(r.get<uint32_t>()), parsed = 0;
          std::from_chars(expected.data(), expected.data() + expected.size(), parsed);
          EXPECT_EQ(f, parsed);
          break;
        }
        case PgType::kDouble: {
          double f = std::bit_cast<double>(r.get<uint64_t>()), parsed = 0;
          std::from_chars(expected.data(), expected.data() + expected.size(), parsed);
          EXPECT_EQ(f, parsed);
          break;
        }
        case PgType::kText:
        case PgType::kVarchar:
        case PgType::kChar:
          EXPECT_EQ(r.bytes(static_cast<size_t>(length)), expected);
          break;
        case PgType::kBoolean:
          EXPECT_EQ(r.get<uint8_t>() ? "t" : "f", expected);
          break;
        case PgType::kDate:
          EXPECT_EQ(length, 4);
          r.get<int32_t>();  // the calendar is checked on the server
          break;
        case PgType::kTimestamp:
        case PgType::kTimestamptz:
          EXPECT_EQ(length, 8);
          r.get<int64_t>();
          break;
        case PgType::kUuid: {
          EXPECT_EQ(length, 16);
          char hex[37];
          const auto hi = r.get<uint64_t>(), lo = r.get<uint64_t>();
          std::snprintf(hex, sizeof hex, "%08x-%04x-%04x-%04x-%012llx",
                        static_cast<unsigned>(hi >> 32), static_cast<unsigned>(hi >> 16 & 0xFFFF),
                        static_cast<unsigned>(hi & 0xFFFF), static_cast<unsigned>(lo >> 48),
                        static_cast<unsigned long long>(lo & 0xFFFFFFFFFFFFULL));
          EXPECT_EQ(std::string_view(hex), expected);
          break;
        }
      }
    }
  }
  EXPECT_TRUE(r.empty());
  EXPECT_GT(nulls, 0);
}

TEST_F(BinaryCopy, RowRangesConcatenate) {
  const TableGenerator& t = generator_.table("t");
  ByteBuffer whole, parts;
  t.write_copy_binary(0, 300, whole);
  for (int k = 0; k < 7; ++k) {
    const RowRange range = shard_rows(300, k, 7);
    t.write_copy_binary(range.begin, range.end, parts);
  }
  EXPECT_EQ(whole.view(), parts.view());
}

TEST(ShardRows, SlicesAreDisjointContiguousAndCoverEveryRow) {
  for (int64_t rows : {0, 1, 2, 7, 1000, 3060001}) {
    for (int count : {1, 2, 3, 8, 13}) {
      uint64_t next = 0;
      for (int k = 0; k < count; ++k) {
        const RowRange range = shard_rows(rows, k, count);
        EXPECT_EQ(range.begin, next);
        EXPECT_LE(range.end - range.begin, static_cast<uint64_t>(rows / count + 1));
        next = range.end;
      }
      EXPECT_EQ(next, static_cast<uint64_t>(rows));
    }
  }
}

}  // namespace
}  // namespace pgshape
