// partition_by: and partitions: of a table: read into the model, and refused
// with a position (file:line:column) when they could not be created.
#include <gtest/gtest.h>

#include <string>
#include <utility>
#include <vector>

#include "pgshape/error.hpp"
#include "pgshape/profile.hpp"

namespace pgshape {
namespace {

constexpr const char* kGood = R"yaml(name: part
scales: {production: 100}
tables:
  events:
    rows: 100
    partition_by: "RANGE (created_at)"
    partitions:
      - {name: events_2024, bound: "FOR VALUES FROM ('2024-01-01') TO ('2025-01-01')", rows: 60}
      - {name: events_rest, bound: DEFAULT, rows: 40}
    columns:
      id: {type: bigint, dist: sequence}
      created_at: {type: date, dist: uniform, min: 2024-01-01, max: 2025-06-01}
)yaml";

std::vector<Diagnostic> problems(std::string text) {
  try {
    parse_profile(text, "p.yaml");
  } catch (const ProfileError& e) {
    return e.diagnostics();
  }
  return {};
}

// The profile with the partitions: list replaced.
std::string with_partitions(const std::string& list, const std::string& by = "RANGE (created_at)") {
  std::string text = kGood;
  const size_t from = text.find("    partition_by:");
  const size_t to = text.find("    columns:");
  return text.replace(from, to - from,
                      "    partition_by: \"" + by + "\"\n    partitions:\n" + list);
}

const Diagnostic* find(const std::vector<Diagnostic>& list, const std::string& needle) {
  for (const auto& d : list)
    if (d.message.find(needle) != std::string::npos) return &d;
  return nullptr;
}

TEST(Partitions, AreRead) {
  const Profile p = parse_profile(kGood, "p.yaml");
  const Table& t = p.tables[0];
  EXPECT_EQ(t.partition_by, "RANGE (created_at)");
  ASSERT_EQ(t.partitions.size(), 2u);
  EXPECT_EQ(t.partitions[0].name, "events_2024");
  EXPECT_EQ(t.partitions[0].bound, "FOR VALUES FROM ('2024-01-01') TO ('2025-01-01')");
  EXPECT_EQ(t.partitions[0].rows, 60);
  EXPECT_EQ(t.partitions[1].bound, "DEFAULT");
  EXPECT_EQ(t.partitions[1].pos.line, 9);
}

TEST(Partitions, BadBoundIsPositioned) {
  auto list = problems(with_partitions("      - {name: a, bound: \"VALUES IN (1)\"}\n"));
  const Diagnostic* d = find(list, "bound must be FOR VALUES");
  ASSERT_NE(d, nullptr);
  EXPECT_EQ(d->line, 8);
  EXPECT_EQ(d->column, 26);
}

TEST(Partitions, UnbalancedOrSecondStatementIsRefused) {
  EXPECT_NE(find(problems(with_partitions("      - {name: a, bound: \"FOR VALUES IN ((1)\"}\n")),
                 "parentheses"),
            nullptr);
  EXPECT_NE(find(problems(with_partitions("      - {name: a, bound: DEFAULT}\n",
                                          "RANGE (id); DROP TABLE x")),
                 "one clause"),
            nullptr);
}

TEST(Partitions, MethodMustBeKnown) {
  EXPECT_NE(find(problems(with_partitions("      - {name: a, bound: DEFAULT}\n", "TREE (id)")),
                 "RANGE (...), LIST (...) or HASH (...)"),
            nullptr);
}

// PostgreSQL refuses one ("cannot use generated column in partition key"), as
// a key column or inside an expression: so does the profile, at partition_by.
TEST(Partitions, GeneratedColumnInTheKeyIsRefusedAtPartitionBy) {
  const std::string generated = "      later: {type: date, generated: \"created_at + 1\"}\n";
  const std::string range = "      - {name: a, bound: DEFAULT}\n";
  const std::string hash =
      "      - {name: a, bound: \"FOR VALUES WITH (modulus 1, remainder 0)\"}\n";
  const std::vector<std::pair<std::string, std::string>> cases = {{range, "RANGE (later)"},
                                                                  {range, "RANGE (\\\"later\\\")"},
                                                                  {range, "RANGE ((Later - 1))"},
                                                                  {hash, "HASH (id, later)"}};
  for (const auto& [list, by] : cases) {
    const auto found = problems(with_partitions(list, by) + generated);
    const Diagnostic* d = find(found, "uses the generated column 'later'");
    ASSERT_NE(d, nullptr) << by;
    EXPECT_EQ(d->line, 6) << by;  // partition_by:
    EXPECT_EQ(d->column, 19) << by;
  }
  // The name in a literal is no use of the column.
  EXPECT_EQ(find(problems(with_partitions(range, "LIST ((id || 'later'))") + generated),
                 "generated column"),
            nullptr);
  EXPECT_TRUE(problems(with_partitions(range) + generated).empty());
}

TEST(Partitions, TwoDefaultsDuplicatesAndHashDefaultAreRefused) {
  EXPECT_NE(find(problems(with_partitions("      - {name: a, bound: DEFAULT}\n"
                                          "      - {name: b, bound: DEFAULT}\n")),
                 "two DEFAULT partitions"),
            nullptr);
  EXPECT_NE(find(problems(with_partitions("      - {name: a, bound: DEFAULT}\n"
                                          "      - {name: a, bound: \"FOR VALUES IN (1)\"}\n",
                                          "LIST (id)")),
                 "listed twice"),
            nullptr);
  EXPECT_NE(find(problems(with_partitions("      - {name: a, bound: DEFAULT}\n", "HASH (id)")),
                 "no DEFAULT leaf"),
            nullptr);
}

TEST(Partitions, LeafNameSharesTheRelationNamespace) {
  std::string text = with_partitions("      - {name: other, bound: DEFAULT}\n");
  text += "  other:\n    rows: 1\n    columns:\n      id: {type: bigint, dist: sequence}\n";
  const auto list = problems(text);
  EXPECT_NE(find(list, "partition 'other' of 'events'"), nullptr);
}

TEST(Partitions, NeedEachOther) {
  std::string text = kGood;
  text.replace(text.find("    partitions:"),
               text.find("    columns:") - text.find("    partitions:"), "");
  EXPECT_NE(find(problems(text), "has no partitions"), nullptr);
  text = kGood;
  text.erase(text.find("    partition_by:"),
             text.find("    partitions:") - text.find("    partition_by:"));
  EXPECT_NE(find(problems(text), "no partition_by"), nullptr);
}

// A partition with its own partition_by: holds sub-partitions, read level by level.
constexpr const char* kNested =
    "      - name: events_2024\n"
    "        bound: \"FOR VALUES FROM ('2024-01-01') TO ('2025-01-01')\"\n"
    "        partition_by: \"LIST (kind)\"\n"
    "        partitions:\n"
    "          - {name: events_2024_buy, bound: \"FOR VALUES IN ('buy')\", rows: 10}\n"
    "          - {name: events_2024_rest, bound: DEFAULT}\n"
    "      - {name: events_rest, bound: DEFAULT}\n";

TEST(Partitions, SubPartitionsAreRead) {
  std::string text = with_partitions(kNested);
  text.replace(text.find("      created_at:"), 0,
               "      kind: {type: text, dist: weighted, values: "
               "{buy: 1, view: 2}}\n");
  const Profile p = parse_profile(text, "p.yaml");
  const Table& t = p.tables[0];
  ASSERT_EQ(t.partitions.size(), 2u);
  const PartitionSpec& year = t.partitions[0];
  EXPECT_EQ(year.partition_by, "LIST (kind)");
  ASSERT_EQ(year.partitions.size(), 2u);
  EXPECT_EQ(year.partitions[0].name, "events_2024_buy");
  EXPECT_EQ(year.partitions[0].rows, 10);
  EXPECT_EQ(year.partitions[1].bound, "DEFAULT");
  EXPECT_TRUE(t.partitions[1].partition_by.empty());
}

TEST(Partitions, SubPartitionsAreCheckedLikeATablesWithPositions) {
  // Sub-partitions without a key, a second DEFAULT one level down, a name
  // that an upper level already uses.
  std::string missing = kNested;
  missing.erase(missing.find("        partition_by:"),
                std::string("        partition_by: \"LIST (kind)\"\n").size());
  const auto list = problems(with_partitions(missing));
  const Diagnostic* d = find(list, "partition 'events_2024' has partitions but no partition_by");
  ASSERT_NE(d, nullptr);
  EXPECT_EQ(d->line, 11);  // the sub-partitions' list
  std::string twice = kNested;
  twice.replace(twice.find("events_2024_buy, bound: \"FOR VALUES IN ('buy')\""),
                std::string("events_2024_buy, bound: \"FOR VALUES IN ('buy')\"").size(),
                "events_2024_buy, bound: DEFAULT");
  EXPECT_NE(find(problems(with_partitions(twice)), "partition 'events_2024' has two DEFAULT"),
            nullptr);
  std::string clash = kNested;
  clash.replace(clash.find("events_2024_rest"), std::string("events_2024_rest").size(),
                "events_rest");
  EXPECT_NE(find(problems(with_partitions(clash)), "events_rest"), nullptr);
}

}  // namespace
}  // namespace pgshape
