// The column-at-a-time path (ColumnGenerator::batch_kind / fill, which the
// encoders use for numbers, booleans, dates and timestamps): every generator
// kind fills exactly what value() returns, row by row and NULL for NULL, at any
// batch start and length; and the encoders' output does not depend on where
// the batches fall.
#include <gtest/gtest.h>

#include <cstring>
#include <string>
#include <vector>

#include "generated_profile.hpp"
#include "pgshape/gen.hpp"
#include "test_server.hpp"

namespace pgshape {
namespace {

// Every generator kind in every column type it serves (tests/fixtures/gen/kinds.yaml).
struct Kinds : ::testing::Test {
  testing::GeneratedProfile g{
      testing::read_all(PGSHAPE_SOURCE_DIR "/tests/fixtures/gen/kinds.yaml"), 7};
};

// Fills rows [begin, begin + n) of `column` and checks each against value().
void expect_fill_matches_values(const ColumnGenerator& column, const std::string& name,
                                uint64_t begin, size_t n) {
  const Datum::Kind kind = column.batch_kind();
  // Poisoned, so a value fill() leaves unwritten cannot pass by accident.
  std::vector<int64_t> ints(n, 0x5A5A5A5A5A5A5A5ALL);
  std::vector<double> floats(n, -12345.678);
  std::vector<uint8_t> nulls(n, 0);
  column.fill(begin, n, ints.data(), floats.data(), nulls.data());
  std::string scratch;
  for (size_t i = 0; i < n; ++i) {
    const Datum d = column.value(begin + i, scratch);
    SCOPED_TRACE(name + " row " + std::to_string(begin + i));
    if (d.kind == Datum::Kind::kNull) {
      ASSERT_EQ(nulls[i], 1);
      continue;
    }
    ASSERT_EQ(nulls[i], 0);
    ASSERT_EQ(d.kind, kind);
    if (kind == Datum::Kind::kFloat) {
      // Bit for bit: the encoders format these doubles.
      ASSERT_EQ(std::memcmp(&floats[i], &d.f, sizeof(double)), 0) << floats[i] << " " << d.f;
    } else {
      ASSERT_EQ(ints[i], d.i);
    }
  }
}

TEST_F(Kinds, EveryBatchableColumnFillsWhatValueReturns) {
  int batchable = 0;
  for (const auto& table : g.data->tables()) {
    const auto rows = static_cast<uint64_t>(table.rows());
    for (size_t c = 0; c < table.column_count(); ++c) {
      const ColumnGenerator& column = table.column(c);
      const std::string name = table.table().name + "." + table.table().columns[c].name;
      if (column.batch_kind() == Datum::Kind::kNull) continue;
      ++batchable;
      // The whole table in one batch, and batches of odd sizes at odd starts.
      expect_fill_matches_values(column, name, 0, rows);
      for (uint64_t begin = 1; begin + 129 < rows; begin += 997)
        for (size_t n : {size_t{1}, size_t{7}, size_t{128}, size_t{129}})
          expect_fill_matches_values(column, name, begin, n);
    }
  }
  // Sequence, uniform (plain and unique, integers, floats, dates, timestamps),
  // normal, lognormal, zipf, hotset, bernoulli, timeline, NULLs and foreign keys.
  EXPECT_GE(batchable, 25);
}

TEST_F(Kinds, BatchKindsFollowTheColumnType) {
  auto kind = [&](std::string_view column) { return g.column("kinds", column).batch_kind(); };
  EXPECT_EQ(kind("id"), Datum::Kind::kInt);
  EXPECT_EQ(kind("big_unique"), Datum::Kind::kInt);
  EXPECT_EQ(kind("small"), Datum::Kind::kInt);  // NULLs keep the inner kind
  EXPECT_EQ(kind("r"), Datum::Kind::kFloat);
  EXPECT_EQ(kind("n4"), Datum::Kind::kFloat);
  EXPECT_EQ(kind("i_normal"), Datum::Kind::kInt);
  EXPECT_EQ(kind("z"), Datum::Kind::kInt);
  EXPECT_EQ(kind("b"), Datum::Kind::kBool);
  EXPECT_EQ(kind("ts"), Datum::Kind::kInt);
  EXPECT_EQ(kind("tl_date"), Datum::Kind::kInt);
  EXPECT_EQ(kind("parent_id"), Datum::Kind::kInt);
  EXPECT_EQ(kind("w_int"), Datum::Kind::kInt);
  EXPECT_EQ(kind("w_bool"), Datum::Kind::kBool);
  EXPECT_EQ(kind("w_num"), Datum::Kind::kFloat);
  EXPECT_EQ(kind("w_date"), Datum::Kind::kInt);
  // No batch path: text, uuids, copies, and a foreign key whose parent rows a
  // copy column reads.
  for (const char* column :
       {"z_text", "words", "pat", "uid", "uid_text", "w_text", "copied_price", "parent_hot"})
    EXPECT_EQ(kind(column), Datum::Kind::kNull) << column;
}

TEST_F(Kinds, EncodersDoNotDependOnWhereBatchesFall) {
  for (const auto& table : g.data->tables()) {
    const auto rows = static_cast<uint64_t>(table.rows());
    for (RowFormat format : {RowFormat::kCopyText, RowFormat::kCsv, RowFormat::kCopyBinary}) {
      ByteBuffer whole, rowwise, uneven;
      table.write_rows(format, 0, rows, whole);
      for (uint64_t row = 0; row < 1000; ++row) table.write_rows(format, row, row + 1, rowwise);
      table.write_rows(format, 1000, rows, rowwise);
      for (uint64_t row = 0, step = 1; row < rows; row += step, step = step * 3 % 517 + 1)
        table.write_rows(format, row, std::min(rows, row + step), uneven);
      SCOPED_TRACE(table.table().name + " format " + std::to_string(static_cast<int>(format)));
      EXPECT_EQ(whole.view(), rowwise.view());
      EXPECT_EQ(whole.view(), uneven.view());
    }
  }
}

}  // namespace
}  // namespace pgshape
