// Whole-profile checks of references: foreign keys (single and multi-column),
// fanout and its child numbers, distinct parents within a family, copies and
// cycles of NOT NULL references.
#include <fmt/format.h>
#include <algorithm>
#include <functional>
#include <limits>
#include <set>

#include "pgshape/fanout.hpp"
#include "pgshape/profile.hpp"
#include "pgshape/util.hpp"
#include "profile/checker.hpp"
#include "profile/key_checker.hpp"

namespace pgshape::profile {

// implied_keys.cpp: a one-column `foreign_keys:` entry, a constraint only, which
// the multi-column key its column heads must imply.
void check_implied_foreign_key(const CheckContext& ctx, const Table& table,
                               const ForeignKeySpec& fk);

namespace {

bool types_compatible(const ColumnType& a, const ColumnType& b) {
  if (a.is_integer() && b.is_integer()) return true;
  if (a.is_textual() && b.is_textual()) return true;
  if (a.is_fractional() && b.is_fractional()) return true;
  return a.kind == b.kind;
}

std::string did_you_mean(std::string_view name, const std::vector<std::string_view>& names) {
  auto best = closest_match(name, names);
  return best.empty() ? "" : fmt::format("did you mean '{}'?", best);
}

}  // namespace

void KeyChecker::check_foreign_key(const Table& table, const Column& c) {
  const DistKind kind = c.dist.kind;
  if (kind != DistKind::kUniform && kind != DistKind::kZipf && kind != DistKind::kHotset &&
      kind != DistKind::kEmpirical && kind != DistKind::kFanout)
    r_.error("profile.bad-distribution", CheckContext::at(c),
             fmt::format("{} picks its parent with '{}'", CheckContext::foreign_key(table, c),
                         to_string(kind)),
             "a foreign key picks parents with uniform, zipf, hotset, empirical or fanout");
  // The first column of a multi-column key references part of the parent's key;
  // a parent or column the key lacks is reported once, for the whole key.
  const ForeignKeySpec* composite = table.composite_foreign_key(c.name);
  const bool as_key = composite && composite->ref_table == c.ref->table &&
                      !composite->ref_columns.empty() && composite->ref_columns[0] == c.ref->column;
  const Table* parent = c_.p.find_table(c.ref->table);
  if (!parent) {
    if (as_key) return;
    std::vector<std::string_view> names;
    for (const auto& t : c_.p.tables) names.push_back(t.name);
    r_.error("profile.unknown-table", c.ref->pos,
             fmt::format("{}.{} references missing table '{}'", table.name, c.name, c.ref->table),
             did_you_mean(c.ref->table, names));
    return;
  }
  const Column* target = parent->find_column(c.ref->column);
  if (!target) {
    if (as_key) return;
    std::vector<std::string_view> names;
    for (const auto& col : parent->columns) names.push_back(col.name);
    r_.error("profile.unknown-column", c.ref->pos,
             fmt::format("{}.{} references missing column '{}.{}'", table.name, c.name,
                         parent->name, c.ref->column),
             did_you_mean(c.ref->column, names));
    return;
  }
  if (c_.skip(*parent, *target)) return;
  if (!composite && !CheckContext::unique(*parent, *target))
    r_.error("profile.fk-target", c.ref->pos,
             fmt::format("{}.{} references {}.{}, which is not unique", table.name, c.name,
                         parent->name, target->name),
             "a foreign key must reference a primary key or unique column");
  if (!types_compatible(c.type, target->type))
    r_.error("profile.fk-target", c.ref->pos,
             fmt::format("{}.{} ({}) references {}.{} of another type ({})", table.name, c.name,
                         c.type.sql(), parent->name, target->name, target->type.sql()));
  if (target->nullable)
    r_.error("profile.fk-target", c.ref->pos,
             fmt::format("{}.{} references {}.{}, which can be NULL", table.name, c.name,
                         parent->name, target->name));
}

// A fanout foreign key: sizes that are whole numbers, every child with a
// parent, and enough parent rows at every scale point for the parents it uses.
void KeyChecker::check_fanout(const Table& table, const Column& c) {
  const std::string what = CheckContext::name(table, c);
  const SourcePos at = CheckContext::at(c);
  if (!c.ref) {
    r_.error("profile.bad-distribution", at,
             fmt::format("{} uses 'fanout', which picks parents: it needs a ref", what),
             "add ref: parent_table.column, or use another distribution");
    return;
  }
  std::vector<std::pair<int64_t, double>> weights;
  std::string why;
  if (!fanout_weights(c.dist, weights, &why)) {
    r_.error("profile.bad-distribution", at, fmt::format("{}: {}", what, why),
             "values: {children per parent: weight}, or min/max children per parent");
    return;
  }
  if (c.nullable || c.null_fraction > 0)
    r_.error("profile.conflict", at,
             fmt::format("{} is a fanout foreign key and cannot be NULL: every child row "
                         "belongs to a parent",
                         what));
  if (c.unique)
    r_.error("profile.conflict", at,
             fmt::format("{} is a fanout foreign key and cannot be unique", what),
             "values: {1: 1} gives each parent one child");
  const Table* parent = c_.p.find_table(c.ref->table);
  if (!parent) return;
  for (const auto& scale : c_.p.scales) {
    // The sizes' mean asks for rows / mean parents; a few more from rounding
    // are merged away by the generator, but not a parent table too small.
    const double parents = fanout_ideal_parents(c.dist, c_.p.rows(table, scale));
    const int64_t has = c_.p.rows(*parent, scale);
    if (parents > static_cast<double>(has) * (1 + 1e-6) + 1) {
      r_.error("profile.unique-domain", at,
               fmt::format("{}: at scale '{}' its fan-out uses {:.0f} parents and {} has {} rows",
                           what, scale.name, parents, parent->name, has),
               "give larger fan-out sizes more weight, or the parent table more rows");
      return;
    }
  }
}

// A foreign key with `of`: distinct parents within each family of a fanout
// key of the same table, which needs as many ranks as the largest family.
void KeyChecker::check_distinct_in(const Table& table, const Column& c) {
  const std::string what = CheckContext::name(table, c);
  const SourcePos at = CheckContext::at(c);
  const Column* fk = table.find_column(c.dist.of);
  if (!fk || fk == &c || !fk->ref || fk->dist.kind != DistKind::kFanout) {
    r_.error("profile.bad-value", at,
             fmt::format("{} picks distinct parents within '{}', which is no fanout foreign "
                         "key of {}",
                         what, c.dist.of, table.name),
             "give that foreign key dist: fanout");
    return;
  }
  const Table* parent = c_.p.find_table(c.ref->table);
  if (!parent) return;
  // A family is at most twice the largest size (a rest of rows may join one).
  const int64_t largest = 2 * fanout_max_size(fk->dist) - 1;
  for (const auto& scale : c_.p.scales) {
    const int64_t rows = c_.p.rows(*parent, scale);
    const int64_t domain = c.dist.n > 0 ? std::min(c.dist.n, rows) : rows;
    if (domain < largest) {
      r_.error("profile.unique-domain", at,
               fmt::format("{}: at scale '{}' a family of {} can have {} children, more than "
                           "the {} parents it picks from",
                           what, scale.name, fk->name, largest, domain),
               "give the parent table more rows, or lower the largest fan-out size");
      return;
    }
  }
}

void KeyChecker::check_child_number(const Table& table, const Column& c) {
  const std::string what = CheckContext::name(table, c);
  const SourcePos at = CheckContext::at(c);
  if (c.ref) {
    r_.error("profile.bad-distribution", at,
             fmt::format("{} is a foreign key and cannot be a child_number", what));
    return;
  }
  if (!c.type.is_integer())
    r_.error("profile.bad-distribution", at,
             fmt::format("{} ({}) is a child_number, which makes integers", what, c.type.sql()));
  const Column* fk = table.find_column(c.dist.of);
  if (!fk || !fk->ref || fk->dist.kind != DistKind::kFanout) {
    std::vector<std::string_view> names;
    for (const auto& col : table.columns)
      if (col.ref && col.dist.kind == DistKind::kFanout) names.push_back(col.name);
    r_.error("profile.bad-value", at,
             fmt::format("{} numbers the children of '{}', which is no fanout foreign key of {}",
                         what, c.dist.of, table.name),
             names.empty() ? std::string("give the foreign key dist: fanout")
                           : did_you_mean(c.dist.of, names));
  }
}

// A multi-column foreign key: its first column picks the parent row (ref:
// parent.x), the others copy that row's key columns, and the parent's columns
// are its primary key or a unique index (as PostgreSQL requires).
void KeyChecker::check_composite_foreign_key(const Table& table, const ForeignKeySpec& fk) {
  if (fk.columns.size() == 1 && fk.ref_columns.size() == 1)
    return check_implied_foreign_key(c_, table, fk);
  if (fk.columns.size() < 2 || fk.columns.size() != fk.ref_columns.size()) return;  // parsed
  const std::string what = CheckContext::foreign_key(table, fk);
  const Table* parent = c_.p.find_table(fk.ref_table);
  if (!parent) {
    std::vector<std::string_view> names;
    for (const auto& t : c_.p.tables) names.push_back(t.name);
    r_.error("profile.unknown-table", fk.pos,
             fmt::format("{} references missing table '{}'", what, fk.ref_table),
             did_you_mean(fk.ref_table, names));
    return;
  }
  std::vector<std::string_view> columns;
  for (const auto& col : parent->columns) columns.push_back(col.name);
  bool missing = false;
  for (const auto& name : fk.ref_columns) {
    if (parent->find_column(name)) continue;
    missing = true;
    r_.error("profile.unknown-column", fk.pos,
             fmt::format("{} references missing column '{}.{}'", what, parent->name, name),
             did_you_mean(name, columns));
  }
  const Column* first = table.find_column(fk.columns[0]);
  if (!first) return;  // reported by the parser
  if (!first->ref || first->ref->table != fk.ref_table || first->ref->column != fk.ref_columns[0])
    r_.error("profile.fk-target", fk.pos,
             fmt::format("{}: its first column '{}' must be ref: {}.{}", what, first->name,
                         fk.ref_table, fk.ref_columns[0]),
             "the first column picks the parent row; the others copy it");
  for (size_t i = 1; i < fk.columns.size(); ++i) {
    const Column* c = table.find_column(fk.columns[i]);
    if (!c) continue;
    if (c->dist.kind != DistKind::kCopy || c->dist.copy_from_fk != fk.columns[0] ||
        c->dist.copy_parent_column != fk.ref_columns[i])
      r_.error("profile.fk-target", CheckContext::at(*c),
               fmt::format("{}: column '{}' must be dist: copy, from: {}.{}", what, c->name,
                           fk.columns[0], fk.ref_columns[i]),
               "so that every child pair is a pair the parent holds");
  }
  auto same_set = [&](std::vector<std::string> a) {
    std::vector<std::string> b = fk.ref_columns;
    std::sort(a.begin(), a.end());
    std::sort(b.begin(), b.end());
    return a == b;
  };
  bool keyed = same_set(parent->primary_key);
  for (const auto& index : parent->indexes)
    if (index.unique && index.definition.empty() && index.where.empty() && same_set(index.columns))
      keyed = true;
  if (!keyed && !missing)  // a missing column is no key: said above
    r_.error("profile.fk-target", fk.pos,
             fmt::format("{} references {}({}), which is no primary key or unique index", what,
                         parent->name, fmt::join(fk.ref_columns, ", ")),
             "a foreign key must reference a primary key or unique columns");
}

void KeyChecker::check_copy(const Table& table, const Column& c) {
  const std::string what = CheckContext::name(table, c);
  const SourcePos at = CheckContext::at(c);
  const Column* fk = table.find_column(c.dist.copy_from_fk);
  if (!fk || !fk->ref) {
    r_.error("profile.bad-copy", at,
             fmt::format("{} copies through '{}', which is not a foreign key of {}", what,
                         c.dist.copy_from_fk, table.name));
    return;
  }
  const Table* parent = c_.p.find_table(fk->ref->table);
  if (!parent) return;  // reported for the foreign key
  const Column* source = parent->find_column(c.dist.copy_parent_column);
  if (!source) {
    r_.error("profile.unknown-column", at,
             fmt::format("{} copies missing column '{}.{}'", what, parent->name,
                         c.dist.copy_parent_column));
    return;
  }
  if (source->dist.kind == DistKind::kCopy)
    r_.error(
        "profile.bad-copy", at,
        fmt::format("{} copies {}.{}, which is itself a copy", what, parent->name, source->name),
        "copy from the original column instead");
  if (!types_compatible(c.type, source->type) &&
      !(c.type.is_fractional() && source->type.is_integer()))
    r_.error("profile.bad-copy", at,
             fmt::format("{} ({}) copies {}.{} of another type ({})", what, c.type.sql(),
                         parent->name, source->name, source->type.sql()));
  if (source->nullable && !c.nullable)
    r_.error("profile.bad-copy", at,
             fmt::format("{} copies {}.{}, which can be NULL, but {} cannot be", what, parent->name,
                         source->name, what),
             "add nullable: true");
}

void KeyChecker::check_cycles() {
  // Depth-first search over non-nullable foreign keys; report each cycle once.
  const auto& tables = c_.p.tables;
  const size_t n = tables.size();
  std::vector<int> state(n, 0);  // 0 new, 1 on stack, 2 done
  std::vector<size_t> stack;
  std::function<void(size_t)> visit = [&](size_t i) {
    state[i] = 1;
    stack.push_back(i);
    for (const auto& column : tables[i].columns) {
      if (!column.ref || column.nullable) continue;
      for (size_t j = 0; j < n; ++j) {
        if (tables[j].name != column.ref->table) continue;
        if (state[j] == 1) {
          std::string path;
          auto from = std::find(stack.begin(), stack.end(), j);
          for (auto it = from; it != stack.end(); ++it) path += tables[*it].name + " -> ";
          path += tables[j].name;
          r_.error("profile.fk-cycle", column.ref->pos,
                   fmt::format("foreign keys form a cycle with no nullable edge: {}", path),
                   "make one of these foreign keys nullable (null_fraction or nullable: true)");
        } else if (state[j] == 0) {
          visit(j);
        }
      }
    }
    stack.pop_back();
    state[i] = 2;
  };
  for (size_t i = 0; i < n; ++i)
    if (state[i] == 0) visit(i);
}

}  // namespace pgshape::profile
