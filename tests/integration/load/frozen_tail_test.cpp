// A table or leaf loaded with COPY FREEZE ends vacuumed, as production's does:
// every page all-visible and no empty page at its end (relallvisible ==
// relpages == the relation's size in blocks). Since PostgreSQL 16 the COPY's
// bulk extension leaves up to 63 never-used pages at the end (42 of 72 pages
// all-visible for 5000 narrow rows) unless the load truncates them. The sizes
// differ so that the tail is once more and once less than a sixteenth of the
// table (VACUUM's threshold to truncate), both plain and as leaves.
#include <gtest/gtest.h>

#include "load_test_support.hpp"

namespace pgshape {
namespace {

using testing::test_dsn;

// clang-format off (a YAML document)
constexpr const char* kProfile = R"yaml(name: tails
seed: 5
scales: { s: 5000 }
tables:
  small:
    rows: 1x
    columns:
      id: { type: integer, dist: sequence }
      note: { type: text, dist: pattern, pattern: "note-########-########" }
  large:
    rows: 20x
    columns:
      id: { type: bigint, dist: sequence }
      note: { type: text, dist: pattern, pattern: "note-########-########" }
  parted:
    rows: 20x
    partition_by: "RANGE (id)"
    partitions:
      - { name: parted_low, bound: "FOR VALUES FROM (MINVALUE) TO (4000)" }
      - { name: parted_high, bound: "FOR VALUES FROM (4000) TO (MAXVALUE)" }
    columns:
      id: { type: bigint, dist: sequence }
      note: { type: text, dist: pattern, pattern: "note-########-########" }
)yaml";
// clang-format on

class FrozenTail : public testing::LoadFixture {};

TEST_F(FrozenTail, EveryTableAndLeafLoadedWithFreezeIsAllVisibleWithNoEmptyTail) {
  write_profile(kProfile);
  const std::string target = schema("tails");
  pgshape({"load", profile_, "--schema", target});
  pqxx::connection c(test_dsn());
  pqxx::work tx(c);
  const auto rows = tx.exec_params(
      "SELECT c.relname::text, c.relpages, c.relallvisible, "
      "(pg_relation_size(c.oid) / current_setting('block_size')::int)::int "
      "FROM pg_class c JOIN pg_namespace n ON n.oid = c.relnamespace "
      "WHERE n.nspname = $1 AND c.relkind = 'r' ORDER BY 1",
      target);
  ASSERT_EQ(rows.size(), 4u);  // small, large and the two leaves
  for (const auto& row : rows) {
    const auto name = row[0].as<std::string>();
    const auto pages = row[1].as<int>(), visible = row[2].as<int>(), blocks = row[3].as<int>();
    EXPECT_GT(pages, 0) << name;
    EXPECT_EQ(blocks, pages) << name << ": pages at the end the load did not fill";
    EXPECT_EQ(visible, pages) << name << ": pages not all-visible";
    std::printf("%-12s relpages %5d relallvisible %5d blocks %5d\n", name.c_str(), pages, visible,
                blocks);
  }
}

}  // namespace
}  // namespace pgshape
