// Internal to src/stats: the profile writer behind render_profile, shared by the
// files that write its parts. profile_writer.cpp assembles the profile and its
// tables; key_writer.cpp the keys (fanout, composite foreign keys, pairs),
// column_writer.cpp the columns' distributions, index_writer.cpp the indexes,
// check_writer.cpp the CHECKs kept, type_writer.cpp the enums and domains,
// ext_stats_writer.cpp given: and statistics:, profile_names.cpp how names and
// values are spelled.
#pragma once

#include <yaml-cpp/yaml.h>

#include <fmt/format.h>
#include <algorithm>
#include <cmath>
#include <map>
#include <optional>
#include <set>
#include <string>
#include <string_view>
#include <utility>
#include <vector>

#include "pgshape/stats.hpp"
#include "stats/internal.hpp"
#include "stats/object_writer.hpp"
#include "stats/pair_columns.hpp"

namespace pgshape::stats {

constexpr int64_t kSmallTable = 1000;  // kept whole at the test scale point

inline int64_t observed_rows(const TableStats& t) {
  return std::max<int64_t>(1, std::llround(std::max(0.0, t.reltuples)));
}

inline bool single_key(const std::vector<std::string>& key, const std::string& column) {
  return key.size() == 1 && key[0] == column;
}

// Values a profile can read back for this type (pg_stats prints infinity & co.).
bool readable(const ColumnType& type, const std::string& v);
// One half of ref: table.column, double-quoted as in SQL unless the name is plain.
std::string ref_part(const std::string& name);
// A name the profile can take bare where a space or a dot separates it from what
// follows: letters, digits, _ and $, not starting with a digit.
bool plain_name(std::string_view name);
// A type's spelling the profile takes for a column of a type pgshape does not
// generate (the parser's rule: names, brackets, modifiers, quotes).
bool opaque_spelling(const std::string& type);
// A name as PostgreSQL prints it in an expression (its quote_ident).
std::string printed_name(const std::string& name);
// An identifier as format_type / quote_ident print it, unquoted: "My Type" -> My Type.
std::string unquoted(const std::string& name);

// "CHECK ((x > 0)) NOT VALID" -> "(x > 0)": the expression pg_get_constraintdef
// wraps; "" when the text is not of that form (NO INHERIT, NOT VALID, ...).
std::string check_expression(const std::string& definition);
// What a single-column CHECK lets through, when it is of a form the generator
// can be kept inside: comparisons with constants (BETWEEN prints as two), joined
// by AND, or `col = ANY (ARRAY[...])`. `subject` is the column as SQL prints it
// (or VALUE for a domain).
struct CheckShape {
  bool understood = false;
  std::vector<std::string> in_list;  // = ANY (ARRAY[...]): the allowed values
  // A varchar IN list alone, written back as `col IN (...)`: PostgreSQL prints
  // what it parses from that exactly as production's, not from its own print.
  std::string rebuilt;
};
CheckShape check_shape(std::string expr, const std::string& subject);

class ProfileWriter {
 public:
  ProfileWriter(const StatsSnapshot& snap, const ImportOptions& options,
                std::vector<std::string>& notes)
      : snap_(snap), options_(options), notes_(notes) {}

  std::string render();

 private:
  const StatsSnapshot& snap_;
  const ImportOptions& options_;
  std::vector<std::string>& notes_;
  stats::ObjectWriter objects_{snap_};  // extensions, functions, views, generated columns
  // Tables with a column whose statistics pg_stats hid from the role: one note
  // for them all, since the cause and the fix are one (not a note per column).
  std::vector<std::string> hidden_tables_;
  int hidden_columns_ = 0;
  // What the profile does not reproduce: in the profile (left_out:) and a note.
  std::vector<std::pair<std::string, std::string>> left_out_;
  // "partition <leaf> (of <table>)" of other_objects that partitions: rebuilds.
  std::set<std::string> rebuilt_partitions_;
  // The enums and domains generated as their base, by the name format_type gives them.
  std::map<std::string, const TypeStats*> types_;
  std::vector<std::string> created_;  // every type of types: (format_type names)
  std::vector<std::string> missing_;  // the schema's types the mirror will not have

  // True when `type` (format_type text, maybe an array of it) names a type of the
  // source schema that the mirror does not get.
  bool type_missing(std::string type) const {
    while (type.size() > 2 && type.compare(type.size() - 2, 2, "[]") == 0)
      type.resize(type.size() - 2);
    return std::find(missing_.begin(), missing_.end(), type) != missing_.end();
  }

  void leave_out(const std::string& object, const std::string& reason) {
    for (const auto& [o, r] : left_out_)
      if (o == object && r == reason) return;
    left_out_.emplace_back(object, reason);
    notes_.push_back(fmt::format("{} left out: {}", object, reason));
  }

  // types: every enum of the schema and every domain over a type pgshape generates.
  void types(YAML::Emitter& out);

  // The column's type as the profile names it (a built-in type, or an enum or
  // domain of types:), with the type values are generated as; nullopt: none.
  std::optional<std::pair<std::string, ColumnType>> profile_type(const ColumnStats& c) const;

  bool column_order_kept(const TableStats& t, const std::vector<std::string>& emitted,
                         const std::string& expr, std::string& why);
  // The table's CHECKs the profile keeps; the others are left out. `in_lists`
  // gets the values a column's = ANY (ARRAY[...]) check allows.
  std::vector<const CheckStats*> kept_checks(
      const TableStats& t, const std::vector<std::string>& emitted,
      std::map<std::string, std::vector<std::string>>& in_lists);
  // The current table's composite key reproduced by construction: a foreign
  // key whose parents get their production fan-out (dist: fanout) and the
  // integer column numbering each parent's children (dist: child_number).
  struct FanoutKey {
    std::string fk, number;
    std::string distinct;  // or: a second foreign key, distinct within each family
    int64_t start = 1;
    bool cluster = false;
  };
  std::optional<FanoutKey> fanout_;

  static bool is_integer_type(const ColumnStats& c);

  // The first (foreign key, integer column) pair of a composite primary key or
  // unique key (constraint or index) that both are NOT NULL: the pair makes the
  // key unique by construction, whatever else it holds.
  std::optional<FanoutKey> find_fanout_key(const TableStats& t) const;

  // A foreign key picking distinct parents within each family: its most common
  // parents as a hot set (their share, Zipf beyond), else uniform.
  void distinct_dist(YAML::Emitter& out, const ColumnStats& c) const;

  // Unique on its own (a key or a full unique index): such a column keeps its own dist.
  static bool unique_alone(const TableStats& t, const std::string& column);

  // A multi-column foreign key of `t` this import can express: to an imported
  // parent whose primary key is those columns and is made by construction (a
  // fanout key and its child numbers), every column NOT NULL, no name a
  // `parent(x, y)` text cannot hold. The child picks a parent row and copies
  // its key, so every pair exists.
  const ForeignKeyStats* composite_fk(const TableStats& t, const ForeignKeyStats& fk) const;

  // The one-column key on `column` that `composite` implies (stats/implied_keys.hpp).
  const ForeignKeyStats* implied_fk(const TableStats& t, const ForeignKeyStats& composite,
                                    const std::string& column) const;

  // A parent's composite primary key the generator pairs (its first two
  // columns drawn by their own distributions, not copied through a key).
  bool paired_key(const TableStats& parent) const;

  // The multi-column foreign key whose column `column` is (and its place in it).
  const ForeignKeyStats* composite_fk_of(const TableStats& t, const std::string& column,
                                         size_t& at) const;

  // The composite keys of `t` built unique by pairing (stats/pair_columns.hpp).
  std::vector<stats::StatsPair> pairs_;
  void choose_table_pairs(const TableStats& t);
  // A pair's member column with the n_distinct its family needs.
  ColumnStats pair_member_stats(const TableStats& t, const ColumnStats& c) const;

  bool holds_fanout_key(const std::vector<std::string>& columns) const;

  // The parents a fanout key uses in production: its n_distinct as a count (one
  // child each when unknown), at most its rows and its parent table's rows.
  double fanout_used(const TableStats& t, const ColumnStats& c) const;

  // The test scale point's rows of a table with a fanout key: as every table's,
  // but no more than its parent's test rows can take at production's mean.
  int64_t fanout_test_rows(const TableStats& t, int64_t rows) const;

  // The fan-out of a foreign key from its pg_stats row: production's parents
  // used (n_distinct), each most common parent with its own child count
  // (frequency x rows), the other parents sharing the other rows as evenly as
  // whole numbers allow (two neighbouring sizes with production's mean).
  void fanout_dist(YAML::Emitter& out, const TableStats& t, const ColumnStats& c,
                   int64_t rows) const;

  std::string hidden_note() const;

  int64_t test_rows(int64_t rows, bool anchor = false) const {
    const auto scaled =
        std::max<int64_t>(1, std::llround(static_cast<double>(rows) * options_.test_fraction));
    return anchor ? scaled : std::min(rows, std::max(scaled, kSmallTable));
  }

  // The foreign key of `column` this import can express (single column, to a
  // unique parent column of an imported table), or nullptr.
  const ForeignKeyStats* usable_fk(const TableStats& t, const std::string& column) const;

  static bool unique_column(const TableStats& t, const std::string& column);
  static bool unique_by_member(const TableStats& t, const IndexStats& index);

  // What the profile format cannot carry yet, named so nothing goes in silence.
  void structure_notes(const TableStats& t);

  void table(YAML::Emitter& out, const TableStats& t);

  void write_indexes(YAML::Emitter& out, const TableStats& t,
                     const std::vector<std::string>& emitted, bool composite, bool provable);

  std::string partitions_problem(const TableStats& t) const {
    return stats::partitions_problem(t, snap_.redacted);
  }

  // partition_by: and partitions: (partition_writer.cpp).
  void partitions(YAML::Emitter& out, const TableStats& t);
  std::vector<const IndexStats*> definitions_;  // this table's indexes kept by definition
  std::map<std::string, std::string> rebuilt_;  // this table's checks written back, by name
  std::map<std::string, std::vector<std::string>> in_lists_;  // this table's IN-list checks
  std::map<std::string, std::string> patterns_;  // this table's LIKE / regex checks as patterns

  // A textual column's LIKE or regex CHECK, kept when a pattern can stay inside it.
  bool pattern_check(const TableStats& t, const std::string& column, const std::string& expr);

  // Emits one column; false when its type cannot be reproduced (it is left out).
  bool column(YAML::Emitter& out, const TableStats& t, const ColumnStats& c, int64_t rows);

  static void closed_dist(YAML::Emitter& out, const ColumnStats& c,
                          const std::vector<std::string>& allowed);

  // The strongest functional dependency "a => c" (one determining column, degree
  // at least kGivenDegree) of t's extended statistics, or nullptr. When a and c
  // determine each other, only the stronger direction is kept (the weaker on a
  // tie loses to the first listed), so given: never forms a cycle.
  static constexpr double kGivenDegree = 0.5;
  std::pair<const ExtendedStats*, const ExtendedStats::Dependency*> dependency_of(
      const TableStats& t, const std::string& column) const;

  // given: for a column production's extended statistics say depends on another:
  // its degree, and per value of the parent in the multivariate MCV list the
  // column's values seen with it (weights = their joint frequencies).
  void given(YAML::Emitter& out, const TableStats& t, const ColumnStats& c, const ColumnType& type);

  // A unique text column whose histogram bounds (and MCVs) hold a value for
  // every row: ANALYZE saw the whole table and it has few rows.
  static bool whole_unique_text(const ColumnStats& c, const ColumnType& type, int64_t rows);

  // statistics: production's CREATE STATISTICS objects, on the columns imported.
  void statistics(YAML::Emitter& out, const TableStats& t, const std::vector<std::string>& emitted);

  static bool unique_dist_possible(const ColumnType& type);

  void unique_dist(YAML::Emitter& out, const ColumnStats& c, const ColumnType& type, int64_t rows);

  void value_dist(YAML::Emitter& out, const TableStats& t, const ColumnStats& c,
                  const ColumnType& type, bool fk);
};

}  // namespace pgshape::stats
