// The indexes of a stats-made profile, by production's names so plans name the
// same indexes on the mirror.
#include "stats/profile_writer_parts.hpp"

namespace pgshape::stats {
namespace {

// An index column: "name" or "name DESC" when the name is plain, else the map
// form {column: name, order: DESC}, which holds any identifier.
void index_column(YAML::Emitter& out, const std::string& name, const std::string& order) {
  if (plain_name(name)) {
    out << (order.empty() ? name : name + " " + order);
    return;
  }
  out << YAML::Flow << YAML::BeginMap << YAML::Key << "column" << YAML::Value << YAML::DoubleQuoted
      << name;
  if (!order.empty()) out << YAML::Key << "order" << YAML::Value << order;
  out << YAML::EndMap;
}

}  // namespace

// A unique key over plain columns, other than the primary key, holding a column
// that is unique on the mirror by itself: unique there too, whatever the other
// columns or a predicate. A single column without a predicate is that column's
// own key, written with the column.
bool ProfileWriter::unique_by_member(const TableStats& t, const IndexStats& index) {
  if (!index.unique || (index.where.empty() && index.columns == t.primary_key)) return false;
  if (index.columns.size() == 1 && index.where.empty()) return false;
  return std::any_of(index.columns.begin(), index.columns.end(),
                     [&](const auto& c) { return !c.empty() && unique_column(t, c); });
}

// The table's indexes: those rebuilt from their columns (keys the profile cannot
// prove unique stay plain indexes), and those kept by production's definition.
void ProfileWriter::write_indexes(YAML::Emitter& out, const TableStats& t,
                                  const std::vector<std::string>& emitted, bool composite,
                                  bool provable) {
  auto known = [&](const std::string& c) {
    return std::find(emitted.begin(), emitted.end(), c) != emitted.end();
  };
  std::vector<const IndexStats*> indexes;
  for (const auto& index : t.indexes) {
    const std::string object = fmt::format("index {}.{}", t.name, index.name);
    if (const auto unmet = objects_.unmet(index.needs); !index.constraint && !unmet.empty()) {
      leave_out(object, fmt::format("it needs {}, which stats does not create on the mirror "
                                    "(create it there and add the index in the overlay)",
                                    fmt::join(unmet, ", ")));
      continue;
    }
    if (index.constraint && !index.plain && !index.method.empty() && index.method != "btree") {
      leave_out(object, fmt::format("it backs an exclusion constraint (USING {})", index.method));
      continue;
    }
    if (index.constraint && !index.plain)
      leave_out(object + " (its INCLUDE columns, operator classes or collations)",
                fmt::format("the key is rebuilt from its columns alone; production's is {}",
                            index.definition));
    if (!index.constraint && !index.plain && index.definition.empty()) {
      leave_out(object, "its definition holds string literals that --redact hides");
      continue;
    }
    if (!index.constraint && !index.plain) {
      // Production's definition, whole: expressions, INCLUDE, operator classes,
      // GIN, GiST, BRIN, hash. It may read only columns the profile has.
      auto missing = std::find_if(index.uses.begin(), index.uses.end(),
                                  [&](const auto& c) { return !known(c); });
      if (missing != index.uses.end()) {
        leave_out(object, fmt::format("it reads column {}, which is left out", *missing));
        continue;
      }
      definitions_.push_back(&index);
      continue;
    }
    const bool plain_pk = composite && !provable && index.columns == t.primary_key;
    // A key holding the fanout pair, or a column unique on its own, stays unique
    // (an index with unique: true).
    const bool pair_unique =
        index.unique && index.columns.size() > 1 &&
        (holds_fanout_key(index.columns) || stats::pair_built(pairs_, index.columns)) &&
        index.columns != t.primary_key;
    const bool member_unique = unique_by_member(t, index);
    // A composite UNIQUE constraint the profile cannot prove: its index is kept
    // (plain) and named in a note rather than vanishing.
    const bool plain_unique = index.constraint && index.unique && index.columns.size() > 1 &&
                              index.columns != t.primary_key && !member_unique;
    if (index.constraint && !plain_pk && !plain_unique && !pair_unique &&
        !member_unique) {  // primary_key / unique
      if (!std::all_of(index.columns.begin(), index.columns.end(), known))
        leave_out(object, "the key reads a column that is left out");
      continue;
    }
    // A single-column unique index makes its column `unique: true`; that key is
    // the same object, so the index is not built a second time (names collide).
    if (!index.constraint && index.unique && index.columns.size() == 1 && index.where.empty() &&
        known(index.columns[0])) {
      notes_.push_back(
          fmt::format("{}: unique index {} reproduced as the unique key of column {} ({}_{}_key)",
                      t.name, index.name, index.columns[0], t.name, index.columns[0]));
      continue;
    }
    if (!std::all_of(index.columns.begin(), index.columns.end(), known)) {
      leave_out(object, "it reads a column that is left out");
      continue;
    }
    if (pair_unique || member_unique) {
      // Unique by construction: no note.
    } else if (plain_unique) {
      notes_.push_back(fmt::format(
          "{}: unique constraint {} ({}) built as a non-unique index: generated combinations "
          "may repeat",
          t.name, index.name, fmt::join(index.columns, ", ")));
    } else if (index.unique && index.columns.size() > 1) {
      notes_.push_back(
          fmt::format("{}: unique index {} built as non-unique: generated combinations may repeat",
                      t.name, index.name));
    } else if (index.unique) {
      // A partial one: its predicate does not make generated values distinct.
      leave_out(fmt::format("uniqueness of index {}.{}", t.name, index.name),
                fmt::format("built non-unique: {} is not unique on the mirror, so generated "
                            "values could repeat where {}",
                            index.columns[0], index.where));
    }
    indexes.push_back(&index);
  }
  if (!indexes.empty() || !definitions_.empty()) {
    out << YAML::Key << "indexes" << YAML::Value << YAML::BeginSeq;
    for (const IndexStats* index : indexes) {
      out << YAML::Flow << YAML::BeginMap;
      out << YAML::Key << "name" << YAML::Value << index->name;
      out << YAML::Key << "columns" << YAML::Value << YAML::BeginSeq;
      for (size_t i = 0; i < index->columns.size(); ++i)
        index_column(out, index->columns[i], index->orders[i]);
      out << YAML::EndSeq;
      if (!index->where.empty())
        out << YAML::Key << "where" << YAML::Value << YAML::DoubleQuoted << index->where;
      const bool paired = index->columns.size() > 1 && (holds_fanout_key(index->columns) ||
                                                        stats::pair_built(pairs_, index->columns));
      const bool proven = paired || unique_by_member(t, *index);
      if (index->unique && ((index->columns.size() == 1 && index->where.empty()) || proven))
        out << YAML::Key << "unique" << YAML::Value << true;
      // A UNIQUE constraint stays one (pg_get_constraintdef as production's).
      if (index->unique && index->constraint && proven && index->where.empty())
        out << YAML::Key << "constraint" << YAML::Value << true;
      out << YAML::EndMap;
    }
    for (const IndexStats* index : definitions_) {
      // Unique on the mirror only when one of its plain key columns is unique
      // there: generated values of an expression could repeat.
      const bool unique =
          index->unique && std::any_of(index->columns.begin(), index->columns.end(),
                                       [&](const auto& c) { return unique_column(t, c); });
      if (index->unique && !unique)
        leave_out(fmt::format("uniqueness of index {}.{}", t.name, index->name),
                  "built non-unique: the values it indexes are generated and could repeat");
      out << YAML::Flow << YAML::BeginMap;
      out << YAML::Key << "name" << YAML::Value << YAML::DoubleQuoted << index->name;
      out << YAML::Key << "definition" << YAML::Value << YAML::DoubleQuoted << index->definition;
      if (unique) {
        // The key columns that prove it unique, for validate's check.
        out << YAML::Key << "columns" << YAML::Value << YAML::BeginSeq;
        for (const auto& c : index->columns)
          if (!c.empty()) index_column(out, c, "");
        out << YAML::EndSeq;
        out << YAML::Key << "unique" << YAML::Value << true;
      }
      out << YAML::EndMap;
    }
    out << YAML::EndSeq;
  }
}

}  // namespace pgshape::stats
