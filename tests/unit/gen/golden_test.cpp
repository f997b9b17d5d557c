// Golden files: the bytes every generator kind writes for a fixed seed
// (tests/fixtures/gen/golden.yaml), in COPY text, CSV and binary COPY, as
// committed in tests/golden/gen/<table>.<copy|csv|pgcopy>. A change to a
// generator or an encoder that moves a single byte fails here.
//
// To change the output on purpose, regenerate them and review the diff:
//   PGSHAPE_UPDATE_GOLDEN=1 ctest --test-dir build -R Golden
// (the test then writes the files and fails, so an update never passes silently
// in CI; rerun without the variable to see it pass).
#include <gtest/gtest.h>

#include <cstdlib>
#include <filesystem>
#include <fstream>
#include <set>
#include <string>

#include "generated_profile.hpp"
#include "pgshape/gen.hpp"
#include "test_server.hpp"

namespace pgshape {
namespace {

const std::filesystem::path kGoldenDir = PGSHAPE_SOURCE_DIR "/tests/golden/gen";

class MemorySink : public RowSink {
 public:
  void write(std::string_view bytes) override { bytes_.append(bytes); }
  const std::string& bytes() const { return bytes_; }

 private:
  std::string bytes_;
};

struct Golden : ::testing::Test {
  testing::GeneratedProfile g{
      testing::read_all(PGSHAPE_SOURCE_DIR "/tests/fixtures/gen/golden.yaml"), 4242};
};

// The index of the first byte where a and b differ, for a readable failure.
size_t first_difference(const std::string& a, const std::string& b) {
  size_t i = 0;
  while (i < a.size() && i < b.size() && a[i] == b[i]) ++i;
  return i;
}

TEST_F(Golden, EveryKindWritesTheCommittedBytesInEveryFormat) {
  const bool update = std::getenv("PGSHAPE_UPDATE_GOLDEN") != nullptr;
  const std::pair<RowFormat, const char*> formats[] = {
      {RowFormat::kCopyText, "copy"}, {RowFormat::kCsv, "csv"}, {RowFormat::kCopyBinary, "pgcopy"}};
  int compared = 0;
  for (const auto& table : g.data->tables()) {
    for (const auto& [format, extension] : formats) {
      MemorySink sink;
      const RowRange all{0, static_cast<uint64_t>(table.rows())};
      RowStream(table, format, all).write_to(sink);
      const auto path = kGoldenDir / (table.table().name + "." + extension);
      if (update) {
        std::filesystem::create_directories(kGoldenDir);
        std::ofstream(path, std::ios::binary) << sink.bytes();
        ADD_FAILURE() << "wrote " << path << " (PGSHAPE_UPDATE_GOLDEN is set): review the diff";
        continue;
      }
      ASSERT_TRUE(std::filesystem::exists(path))
          << path << " is missing: PGSHAPE_UPDATE_GOLDEN=1 ctest -R Golden writes it";
      const std::string expected = testing::read_all(path);
      const size_t at = first_difference(sink.bytes(), expected);
      EXPECT_TRUE(sink.bytes() == expected)
          << path << ": " << sink.bytes().size() << " bytes written, " << expected.size()
          << " committed; first difference at byte " << at << ": written '"
          << sink.bytes().substr(at, 40) << "', committed '" << expected.substr(at, 40) << "'";
      ++compared;
    }
  }
  if (!update) {
    EXPECT_EQ(compared, 9);  // 3 tables x 3 formats
  }
}

// The golden profile covers what it says: every distribution kind, NULLs,
// unique columns, foreign keys and copies are in it.
TEST_F(Golden, TheProfileCoversEveryKind) {
  std::set<DistKind> kinds;
  bool nulls = false, unique = false, foreign_key = false, key_to_key = false;
  for (const auto& table : g.profile.tables)
    for (const auto& column : table.columns) {
      kinds.insert(column.dist.kind);
      nulls = nulls || column.null_fraction > 0;
      unique = unique || column.unique;
      foreign_key = foreign_key || column.ref.has_value();
      if (column.ref)
        key_to_key = key_to_key ||
                     g.profile.find_table(column.ref->table)->find_column(column.ref->column)->ref;
    }
  EXPECT_EQ(kinds.size(), 14u);  // DistKind has 14 kinds
  EXPECT_TRUE(nulls && unique && foreign_key && key_to_key);
}

}  // namespace
}  // namespace pgshape
