// Unique keys a stats-made profile keeps beside the column keys: a partial
// unique index and a multi-column UNIQUE constraint stay unique when one of
// their columns is unique on the mirror by itself; a partial unique index that
// cannot be is built non-unique and named, never silently.
#include <gtest/gtest.h>

#include <algorithm>

#include "pgshape/profile.hpp"
#include "pgshape/stats.hpp"

namespace pgshape {
namespace {

StatsSnapshot accounts_snapshot() {
  StatsSnapshot s{.database = "db", .schema = "s", .taken_at = "2026-01-01T00:00:00Z"};
  TableStats t{.name = "accounts", .reltuples = 1000, .primary_key = {"id"}};
  auto col = [&](ColumnStats c) {
    c.has_stats = true;
    t.columns.push_back(std::move(c));
  };
  col({.name = "id",
       .type = "bigint",
       .not_null = true,
       .n_distinct = -1,
       .histogram = {"1", "1000"},
       .correlation = 1});
  col({.name = "email",
       .type = "text",
       .not_null = true,
       .avg_width = 20,
       .n_distinct = -1,
       .histogram = {"a@x", "m@x", "z@x"}});
  col({.name = "region",
       .type = "text",
       .not_null = true,
       .n_distinct = 3,
       .mcv = {"eu", "us", "jp"},
       .mcf = {0.5, 0.3, 0.2}});
  col({.name = "closed_at", .type = "timestamptz", .null_frac = 0.9});
  // One open account per email, one per id; one row per (id, region), id being
  // the key.
  t.indexes.push_back(IndexStats{.name = "accounts_email_open_key",
                                 .columns = {"email"},
                                 .orders = {""},
                                 .where = "(closed_at IS NULL)",
                                 .unique = true,
                                 .method = "btree"});
  t.indexes.push_back(IndexStats{.name = "accounts_id_open_key",
                                 .columns = {"id"},
                                 .orders = {""},
                                 .where = "(closed_at IS NULL)",
                                 .unique = true,
                                 .method = "btree"});
  t.indexes.push_back(IndexStats{.name = "accounts_id_region_key",
                                 .columns = {"id", "region"},
                                 .orders = {"", ""},
                                 .unique = true,
                                 .constraint = true,
                                 .method = "btree"});
  s.tables = {t};
  return s;
}

const IndexSpec* find_index(const Table& t, const std::string& name) {
  auto it = std::find_if(t.indexes.begin(), t.indexes.end(),
                         [&](const IndexSpec& i) { return i.name == name; });
  return it == t.indexes.end() ? nullptr : &*it;
}

TEST(StatsUniqueKeys, PartialAndCompositeKeysStayUniqueThroughAUniqueColumnElseAreNamed) {
  std::vector<std::string> notes;
  const std::string text = render_profile(accounts_snapshot(), ImportOptions{.name = "m"}, &notes);
  const Profile p = parse_profile(text, "m.yaml");
  const Table& t = p.tables.at(0);
  // validate's own check proves each unique key it keeps.
  for (const auto& d : validate_profile(p)) ADD_FAILURE() << d.message << "\n" << text;

  // The primary key column makes a partial index on it unique, predicate kept.
  const IndexSpec* id_open = find_index(t, "accounts_id_open_key");
  ASSERT_TRUE(id_open) << text;
  EXPECT_TRUE(id_open->unique) << text;
  EXPECT_EQ(id_open->where, "(closed_at IS NULL)");
  // ... and a UNIQUE constraint holding it stays a UNIQUE constraint.
  const IndexSpec* id_region = find_index(t, "accounts_id_region_key");
  ASSERT_TRUE(id_region) << text;
  EXPECT_TRUE(id_region->unique) << text;
  EXPECT_TRUE(id_region->constraint) << text;

  // email has no key of its own: the partial index is built, non-unique, and
  // the lost uniqueness is named in left_out and in stats' notes.
  const IndexSpec* email_open = find_index(t, "accounts_email_open_key");
  ASSERT_TRUE(email_open) << text;
  EXPECT_FALSE(email_open->unique) << text;
  EXPECT_TRUE(std::any_of(p.left_out.begin(), p.left_out.end(), [](const LeftOut& l) {
    return l.object == "uniqueness of index accounts.accounts_email_open_key" &&
           l.reason.find("(closed_at IS NULL)") != std::string::npos;
  })) << text;
  EXPECT_TRUE(std::any_of(notes.begin(), notes.end(), [](const std::string& n) {
    return n.find("accounts_email_open_key") != std::string::npos;
  }));
}

}  // namespace
}  // namespace pgshape
