// The one generator contract (ColumnGenerator::fill into a ColumnVector): for
// every generator kind, value(row) — the batch of one — equals what a batch
// fills at a range of rows and at a list of rows, at any start and length, in
// the table's batch and on its own; copies read their key's parent rows; and
// the encoders' output does not depend on where the batches fall.
#include <gtest/gtest.h>

#include <algorithm>
#include <cstring>
#include <set>
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

// Two values are the same when every field the encoders read is: floats bit
// for bit (the encoders format these doubles), text byte for byte.
void expect_same(const Datum& batch, const Datum& one, const std::string& where) {
  SCOPED_TRACE(where);
  ASSERT_EQ(static_cast<int>(batch.kind), static_cast<int>(one.kind));
  switch (one.kind) {
    case Datum::Kind::kNull:
      break;
    case Datum::Kind::kInt:
    case Datum::Kind::kBool:
      ASSERT_EQ(batch.i, one.i);
      break;
    case Datum::Kind::kFloat:
      ASSERT_EQ(std::memcmp(&batch.f, &one.f, sizeof(double)), 0) << batch.f << " " << one.f;
      break;
    case Datum::Kind::kText:
      ASSERT_EQ(batch.text, one.text);
      ASSERT_EQ(batch.plain, one.plain);
      break;
    case Datum::Kind::kUuid:
      ASSERT_EQ(batch.uuid_hi, one.uuid_hi);
      ASSERT_EQ(batch.uuid_lo, one.uuid_lo);
      break;
  }
}

// Fills `rows` of column c of `table` through its table (a batch of its own
// for the columns it reads) and checks each row against value(row).
void expect_selection_matches_values(const TableGenerator& table, size_t c, const Selection& rows) {
  const ColumnGenerator& column = table.column(c);
  ColumnVector out;
  // Poisoned lanes, so a value the fill leaves unwritten cannot pass by accident.
  out.reset(Datum::Kind::kInt, rows.size());
  std::fill_n(out.ints(), rows.size(), 0x5A5A5A5A5A5A5A5ALL);
  table.fill_column(c, rows, out);
  ASSERT_EQ(out.kind(), column.kind());
  ASSERT_EQ(out.size(), rows.size());
  std::string scratch;
  for (size_t i = 0; i < rows.size(); ++i)
    expect_same(out.datum(i), column.value(rows[i], scratch),
                table.table().name + "." + table.table().columns[c].name + " row " +
                    std::to_string(rows[i]) + (rows.is_range() ? " (range)" : " (list)"));
}

// Every column of every table of `data`, at ranges and lists.
size_t expect_every_selection_matches_values(const DatasetGenerator& data) {
  size_t columns = 0;
  for (const auto& table : data.tables()) {
    const auto rows = static_cast<uint64_t>(table.rows());
    // Rows in an order no range has: backwards, strided, repeated.
    std::vector<uint64_t> list;
    for (uint64_t r = rows; r-- > 0;)
      if (r % 7 == 3) list.push_back(r);
    for (uint64_t r = 0; r < rows; r += 101) list.push_back(r), list.push_back(r);
    for (size_t c = 0; c < table.column_count(); ++c, ++columns) {
      // The whole table in one batch, batches of odd sizes at odd starts, and lists.
      expect_selection_matches_values(table, c, Selection::range(0, rows));
      for (uint64_t begin = 1; begin + 129 < rows; begin += 997)
        for (size_t n : {size_t{1}, size_t{7}, size_t{128}, size_t{129}})
          expect_selection_matches_values(table, c, Selection::range(begin, n));
      expect_selection_matches_values(table, c, Selection::list(list.data(), list.size()));
      expect_selection_matches_values(table, c, Selection::list(list.data() + 5, 1));
    }
  }
  return columns;
}

TEST_F(Kinds, EveryColumnFillsWhatValueReturnsForRangesAndLists) {
  EXPECT_EQ(expect_every_selection_matches_values(*g.data),
            g.profile.tables[0].columns.size() + g.profile.tables[1].columns.size());
}

// The golden profile adds empirical shapes, keys that are foreign keys
// themselves, unique foreign keys and copies of text, keys and uuids.
TEST(GoldenProfile, EveryColumnFillsWhatValueReturnsForRangesAndLists) {
  const testing::GeneratedProfile golden(
      testing::read_all(PGSHAPE_SOURCE_DIR "/tests/fixtures/gen/golden.yaml"), 4242);
  size_t declared = 0;
  for (const auto& table : golden.profile.tables) declared += table.columns.size();
  EXPECT_EQ(expect_every_selection_matches_values(*golden.data), declared);
}

TEST_F(Kinds, TheTableBatchEqualsEachColumnOnItsOwn) {
  for (const auto& table : g.data->tables()) {
    Batch batch(table.column_count());
    const Selection rows = Selection::range(1234, 300);
    table.fill(rows, batch);
    std::string scratch;
    for (size_t c = 0; c < table.column_count(); ++c)
      for (size_t i = 0; i < rows.size(); ++i)
        expect_same(batch.column(c).datum(i), table.column(c).value(rows[i], scratch),
                    table.table().columns[c].name + " row " + std::to_string(rows[i]));
  }
}

TEST_F(Kinds, CopiesReadTheParentRowsTheirForeignKeyChose) {
  const TableGenerator& kinds = g.table("kinds");
  const TableGenerator& parents = g.table("parents");
  const auto fk = static_cast<size_t>(kinds.table().column_index("parent_hot"));
  const auto copy = static_cast<size_t>(kinds.table().column_index("copied_price"));
  const auto price = static_cast<size_t>(parents.table().column_index("price"));
  const auto id = static_cast<size_t>(parents.table().column_index("id"));
  Batch batch(kinds.column_count());
  kinds.fill(Selection::range(0, 2000), batch);
  std::string scratch;
  std::set<uint64_t> distinct;
  for (size_t i = 0; i < 2000; ++i) {
    const uint64_t parent = batch.column(fk).parent_rows()[i];
    ASSERT_LT(parent, static_cast<uint64_t>(parents.rows()));
    distinct.insert(parent);
    // The key is the parent's id at that row, the copy its price there.
    expect_same(batch.column(fk).datum(i), parents.column(id).value(parent, scratch), "key");
    expect_same(batch.column(copy).datum(i), parents.column(price).value(parent, scratch), "copy");
  }
  EXPECT_GT(distinct.size(), 100u);  // the hot set takes half, the rest spreads out
}

TEST_F(Kinds, LanesFollowTheColumnType) {
  auto kind = [&](std::string_view column) { return g.column("kinds", column).kind(); };
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
  EXPECT_EQ(kind("parent_id"), Datum::Kind::kInt);  // the parent key's lane
  EXPECT_EQ(kind("w_int"), Datum::Kind::kInt);
  EXPECT_EQ(kind("w_bool"), Datum::Kind::kBool);
  EXPECT_EQ(kind("w_num"), Datum::Kind::kFloat);
  EXPECT_EQ(kind("w_date"), Datum::Kind::kInt);
  EXPECT_EQ(kind("copied_price"), Datum::Kind::kFloat);  // the parent column's lane
  EXPECT_EQ(kind("uid"), Datum::Kind::kUuid);
  for (const char* column : {"z_text", "words", "pat", "uid_text", "w_text"})
    EXPECT_EQ(kind(column), Datum::Kind::kText) << column;
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
