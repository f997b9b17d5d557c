// Encoders refuse, never wrap (issue 14): a value that does not fit its
// column's type is an InternalError naming table, column and row, the same in
// COPY text, CSV and binary COPY, and no generator leaves its declared bounds
// by rounding. Validation refuses such profiles first (exit 2); these tests
// reach the generator with profiles changed in code after validation, so they
// hold whatever validate learns to refuse.
#include <gtest/gtest.h>

#include <functional>
#include <set>
#include <string>

#include "pgshape/error.hpp"
#include "pgshape/gen.hpp"
#include "pgshape/profile.hpp"

namespace pgshape {
namespace {

// A validated one-column table t.v of `type`, then `change` applied to the column.
Profile profile_with(const std::string& type, int64_t rows,
                     const std::function<void(Column&)>& change) {
  const bool text = type.find("char") != std::string::npos || type == "text";
  std::string yaml = "name: t\nscales: { s: ";  // appended: GCC 12 -Wrestrict false positive on +
  yaml.append(std::to_string(rows)).append(" }\ntables:\n  t:\n    rows: 1x\n    columns:\n");
  yaml.append("      v: { type: \"").append(type).append("\", dist: ");
  // Numbers get bounds that fit every type (the default 0..1000 does not fit
  // numeric(5,2)); dates and timestamps keep the default range.
  const bool temporal =
      type.find("date") != std::string::npos || type.find("time") != std::string::npos;
  yaml.append(text       ? "weighted, values: { a: 1 } }\n"
              : temporal ? "uniform }\n"
                         : "uniform, min: 0, max: 1 }\n");
  Profile p = parse_profile(yaml, "t.yaml");
  Column& column = p.tables[0].columns[0];
  if (!temporal) column.dist.min.reset(), column.dist.max.reset();  // as if none were given
  change(column);
  return p;
}

// The message every format throws for rows [0, rows); "" when none throws.
// Fails the test when the formats disagree.
std::string refusal(const Profile& p) {
  const DatasetGenerator generator(p, p.scales.front(), 7);
  const TableGenerator& t = generator.table("t");
  std::set<std::string> messages;
  for (RowFormat format : {RowFormat::kCopyText, RowFormat::kCsv, RowFormat::kCopyBinary}) {
    ByteBuffer out;
    try {
      t.write_rows(format, 0, static_cast<uint64_t>(t.rows()), out);
      messages.insert("");
    } catch (const InternalError& e) {
      messages.insert(e.what());
    }
  }
  EXPECT_EQ(messages.size(), 1u) << "the formats disagree: " << *messages.begin();
  return *messages.begin();
}

TEST(Overflow, SmallintFromANormalOfMeanOneBillionIsRefusedInEveryFormat) {
  const auto message = refusal(profile_with("smallint", 50, [](Column& c) {
    c.dist.kind = DistKind::kNormal, c.dist.mean = 1e9, c.dist.stddev = 1;
  }));
  EXPECT_NE(message.find("t.v row 0: 1000000000 is outside [-32768, 32767]"), std::string::npos)
      << message;
  EXPECT_NE(message.find("smallint"), std::string::npos) << message;
}

TEST(Overflow, AnInfiniteNumericIsRefused) {
  const auto message = refusal(profile_with("numeric(10,2)", 50, [](Column& c) {
    c.dist.kind = DistKind::kLognormal, c.dist.mu = 800, c.dist.sigma = 1;
  }));
  EXPECT_NE(message.find("t.v row 0: inf does not fit"), std::string::npos) << message;
}

TEST(Overflow, ANumericThatRoundsPastItsPrecisionIsRefusedAtThatRow) {
  // 999.995 and above round to 1000.00, which numeric(5,2) cannot hold.
  const auto message = refusal(profile_with(
      "numeric(5,2)", 2000, [](Column& c) { c.dist.min = 999.99, c.dist.max = 999.999; }));
  EXPECT_NE(message.find("does not fit (column type numeric(5,2))"), std::string::npos) << message;
  // Just below the edge, everything fits.
  EXPECT_EQ(refusal(profile_with("numeric(5,2)", 2000,
                                 [](Column& c) { c.dist.min = 999.98, c.dist.max = 999.9949; })),
            "");
}

TEST(Overflow, ARealBeyondFloatRangeIsRefused) {
  const auto message = refusal(profile_with("real", 10, [](Column& c) {
    c.dist.kind = DistKind::kNormal, c.dist.mean = 1e39, c.dist.stddev = 1;
  }));
  EXPECT_NE(message.find("t.v row 0"), std::string::npos) << message;
}

TEST(Overflow, AWeightedLiteralOutOfRangeIsRefused) {
  const auto message = refusal(profile_with("smallint", 10, [](Column& c) {
    c.dist.kind = DistKind::kWeighted, c.dist.values = {"70000"}, c.dist.weights = {1};
  }));
  EXPECT_NE(message.find("70000 is outside"), std::string::npos) << message;
}

TEST(Overflow, TextLongerThanVarcharIsRefused) {
  const auto message = refusal(profile_with("varchar(5)", 10, [](Column& c) {
    c.dist.kind = DistKind::kWeighted, c.dist.values = {"abcdefgh"}, c.dist.weights = {1};
  }));
  EXPECT_NE(message.find("text of 8 characters is longer than 5"), std::string::npos) << message;
}

TEST(Overflow, ADateBeyondPostgresRangeIsRefusedNotWrappedToInt32) {
  const auto message = refusal(profile_with("date", 10, [](Column& c) {
    c.dist.kind = DistKind::kSequence, c.dist.start = int64_t{1} << 33;  // days
  }));
  EXPECT_NE(message.find("is outside"), std::string::npos) << message;
}

TEST(Overflow, ABigintSequenceThatWouldWrapNamesItsFirstRow) {
  const Profile p = profile_with("bigint", 20, [](Column& c) {
    c.dist.kind = DistKind::kSequence, c.dist.start = 9223372036854775800, c.dist.step = 1;
  });
  try {
    const DatasetGenerator generator(p, p.scales.front(), 7);
    FAIL() << "built a sequence that wraps";
  } catch (const InternalError& e) {
    // start + 7 is INT64_MAX: row 8 would wrap.
    EXPECT_NE(std::string(e.what()).find("t.v row 8: sequence start"), std::string::npos)
        << e.what();
  }
  // Descending past INT64_MIN, too.
  const Profile down = profile_with("bigint", 20, [](Column& c) {
    c.dist.kind = DistKind::kSequence, c.dist.start = -9223372036854775800, c.dist.step = -2;
  });
  EXPECT_THROW(DatasetGenerator(down, down.scales.front(), 7), InternalError);
}

// Every value of t.v over `rows` rows, which must all be integers.
std::set<int64_t> integers(const Profile& p) {
  const DatasetGenerator generator(p, p.scales.front(), 7);
  const TableGenerator& t = generator.table("t");
  std::set<int64_t> values;
  std::string scratch;
  for (uint64_t row = 0; row < static_cast<uint64_t>(t.rows()); ++row) {
    const Datum d = t.column(0).value(row, scratch);
    EXPECT_EQ(d.kind, Datum::Kind::kInt);
    values.insert(d.i);
  }
  return values;
}

TEST(Bounds, AnIntegerUniformDrawsOnlyIntegersInsideFractionalBounds) {
  // [0.5, 3.7] holds 1, 2, 3: llround of the bounds would also have given 4.
  EXPECT_EQ(integers(profile_with("integer", 3000,
                                  [](Column& c) { c.dist.min = 0.5, c.dist.max = 3.7; })),
            (std::set<int64_t>{1, 2, 3}));
  // [0.5, 0.7] holds no integer: refused, not 1 in every row.
  const Profile none =
      profile_with("integer", 10, [](Column& c) { c.dist.min = 0.5, c.dist.max = 0.7; });
  EXPECT_THROW(DatasetGenerator(none, none.scales.front(), 7), InternalError);
}

TEST(Bounds, NormalsAndTimelinesRoundInsideTheirBounds) {
  const auto normal = integers(profile_with("integer", 3000, [](Column& c) {
    c.dist.kind = DistKind::kNormal, c.dist.mean = 0, c.dist.stddev = 5;
    c.dist.min = -2.5, c.dist.max = 2.5;
  }));
  EXPECT_EQ(normal, (std::set<int64_t>{-2, -1, 0, 1, 2}));
  const auto timeline = integers(profile_with("integer", 3000, [](Column& c) {
    c.dist.kind = DistKind::kTimeline, c.dist.jitter = 0.5;
    c.dist.min = 0.6, c.dist.max = 9.4;
  }));
  EXPECT_EQ(*timeline.begin(), 1);
  EXPECT_EQ(*timeline.rbegin(), 9);
}

}  // namespace
}  // namespace pgshape
