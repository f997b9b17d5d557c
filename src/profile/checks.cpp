// Whole-profile checks, part one: keys — primary keys, foreign keys, copies,
// cycles and whether every unique column and index can be unique. Also the
// driver that runs every concern's checks (checker.hpp lists them).
#include <fmt/format.h>
#include <algorithm>
#include <functional>
#include <limits>
#include <set>

#include "pgshape/fanout.hpp"
#include "pgshape/profile.hpp"
#include "pgshape/util.hpp"
#include "profile/checker.hpp"

namespace pgshape::profile {

int64_t CheckContext::max_rows(const Table& table) const {
  int64_t most = 1;
  for (const auto& scale : p.scales) most = std::max(most, p.rows(table, scale));
  return most;
}

int64_t CheckContext::min_rows(const Table& table) const {
  int64_t least = std::numeric_limits<int64_t>::max();
  for (const auto& scale : p.scales) least = std::min(least, p.rows(table, scale));
  return p.scales.empty() ? 1 : least;
}

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

// True when `columns` hold a fanout foreign key and the child_number column
// that numbers its children: that pair is unique by construction.
bool holds_fanout_pair(const Table& table, const std::vector<std::string>& columns) {
  auto listed = [&](const std::string& name) {
    return std::find(columns.begin(), columns.end(), name) != columns.end();
  };
  for (const auto& name : columns) {
    const Column* number = table.find_column(name);
    if (!number || number->dist.kind != DistKind::kChildNumber || !listed(number->dist.of))
      continue;
    const Column* fk = table.find_column(number->dist.of);
    if (fk && fk->ref && fk->dist.kind == DistKind::kFanout) return true;
  }
  // A foreign key picking distinct parents within each family of a fanout key.
  for (const auto& name : columns) {
    const Column* distinct = table.find_column(name);
    if (!distinct || !distinct->ref || distinct->dist.kind == DistKind::kFanout ||
        distinct->dist.of.empty() || !listed(distinct->dist.of))
      continue;
    const Column* fk = table.find_column(distinct->dist.of);
    if (fk && fk->ref && fk->dist.kind == DistKind::kFanout) return true;
  }
  return false;
}

class KeyChecker {
 public:
  explicit KeyChecker(const CheckContext& ctx) : c_(ctx), r_(ctx.r) {}

  void run() {
    for (const auto& table : c_.p.tables) {
      if (c_.r.poisoned(table.name)) continue;
      check_primary_key(table);
      for (const auto& column : table.columns) {
        if (c_.skip(table, column)) continue;
        if (column.ref) check_foreign_key(table, column);
        if (column.dist.kind == DistKind::kFanout) check_fanout(table, column);
        if (column.dist.kind == DistKind::kChildNumber) check_child_number(table, column);
        if (column.ref && column.dist.kind != DistKind::kFanout && !column.dist.of.empty())
          check_distinct_in(table, column);
        if (!column.ref && column.dist.kind != DistKind::kChildNumber && !column.dist.of.empty())
          r_.error("profile.bad-distribution", CheckContext::at(column),
                   fmt::format("'of' of {} applies to child_number and foreign keys only",
                               CheckContext::name(table, column)));
        if (column.dist.kind == DistKind::kCopy) check_copy(table, column);
        if (CheckContext::unique(table, column)) check_unique(table, column);
        // A profile whose columns came from a DDL file is parsed before they are known.
        if (column.given && !table.find_column(column.given->column))
          r_.error(
              "profile.unknown-column", column.given->pos,
              fmt::format("{} is given '{}', which is no column of '{}'",
                          CheckContext::name(table, column), column.given->column, table.name));
      }
      for (const auto& index : table.indexes)
        if (index.unique) check_unique_index(table, index);
      for (const auto& fk : table.foreign_keys) check_composite_foreign_key(table, fk);
      for (const auto& stats : table.statistics)
        for (const auto& name : stats.columns)
          if (!c_.p.ddl_sql.empty() && !table.find_column(name))  // else the parser said so
            r_.error("profile.unknown-column", stats.pos,
                     fmt::format("statistics of '{}' name unknown column '{}'", table.name, name));
    }
    check_cycles();
  }

 private:
  const CheckContext& c_;
  Reader& r_;

  void check_primary_key(const Table& table) {
    for (const auto& name : table.primary_key)
      if (!table.find_column(name))
        r_.error("profile.unknown-column", table.pos,
                 fmt::format("primary key of '{}' names unknown column '{}'", table.name, name));
    if (table.primary_key.size() <= 1) return;
    check_composite_key(c_, table, table.primary_key, table.pos,
                        fmt::format("composite primary key of '{}'", table.name));
  }

  void check_foreign_key(const Table& table, const Column& c) {
    const DistKind kind = c.dist.kind;
    if (kind != DistKind::kUniform && kind != DistKind::kZipf && kind != DistKind::kHotset &&
        kind != DistKind::kEmpirical && kind != DistKind::kFanout)
      r_.error("profile.bad-distribution", CheckContext::at(c),
               fmt::format("foreign key {} picks its parent with '{}'",
                           CheckContext::name(table, c), to_string(kind)),
               "a foreign key picks parents with uniform, zipf, hotset, empirical or fanout");
    const Table* parent = c_.p.find_table(c.ref->table);
    if (!parent) {
      std::vector<std::string_view> names;
      for (const auto& t : c_.p.tables) names.push_back(t.name);
      r_.error("profile.unknown-table", c.ref->pos,
               fmt::format("{}.{} references missing table '{}'", table.name, c.name, c.ref->table),
               did_you_mean(c.ref->table, names));
      return;
    }
    const Column* target = parent->find_column(c.ref->column);
    if (!target) {
      std::vector<std::string_view> names;
      for (const auto& col : parent->columns) names.push_back(col.name);
      r_.error("profile.unknown-column", c.ref->pos,
               fmt::format("{}.{} references missing column '{}.{}'", table.name, c.name,
                           parent->name, c.ref->column),
               did_you_mean(c.ref->column, names));
      return;
    }
    if (c_.skip(*parent, *target)) return;
    // The first column of a multi-column key references part of the parent's key.
    const ForeignKeySpec* composite = table.composite_foreign_key(c.name);
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
  void check_fanout(const Table& table, const Column& c) {
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
  void check_distinct_in(const Table& table, const Column& c) {
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

  void check_child_number(const Table& table, const Column& c) {
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
  void check_composite_foreign_key(const Table& table, const ForeignKeySpec& fk) {
    if (fk.columns.size() < 2 || fk.columns.size() != fk.ref_columns.size()) return;  // parsed
    const std::string what =
        fmt::format("foreign key {}({})", table.name, fmt::join(fk.columns, ", "));
    const Table* parent = c_.p.find_table(fk.ref_table);
    if (!parent) {
      r_.error("profile.unknown-table", fk.pos,
               fmt::format("{} references missing table '{}'", what, fk.ref_table));
      return;
    }
    for (const auto& name : fk.ref_columns)
      if (!parent->find_column(name))
        r_.error("profile.unknown-column", fk.pos,
                 fmt::format("{} references missing column '{}.{}'", what, parent->name, name));
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
      if (index.unique && index.definition.empty() && index.where.empty() &&
          same_set(index.columns))
        keyed = true;
    if (!keyed)
      r_.error("profile.fk-target", fk.pos,
               fmt::format("{} references {}({}), which is no primary key or unique index", what,
                           parent->name, fmt::join(fk.ref_columns, ", ")),
               "a foreign key must reference a primary key or unique columns");
  }

  void check_copy(const Table& table, const Column& c) {
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
               fmt::format("{} copies {}.{}, which can be NULL, but {} cannot be", what,
                           parent->name, source->name, what),
               "add nullable: true");
  }

  void domain_error(const Table& table, const Column& c, double domain, int64_t rows) {
    r_.error("profile.unique-domain", CheckContext::at(c),
             fmt::format("{} is unique but its domain has {:.0f} values for {} rows",
                         CheckContext::name(table, c), domain, rows),
             "widen the domain or drop unique");
  }

  void repeats_error(const Table& table, const Column& c, std::string_view why) {
    r_.error("profile.unique-domain", CheckContext::at(c),
             fmt::format("{} is unique but {}", CheckContext::name(table, c), why),
             "unique values come from sequence, integer uniform, pattern, words or uuid");
  }

  // Every unique kind, against the rows of the largest scale point.
  void check_unique(const Table& table, const Column& c) {
    const Distribution& d = c.dist;
    const int64_t rows = c_.max_rows(table);
    if (c.ref) {
      // A unique foreign key (a 1:1 table) takes each parent row once, in a
      // permuted order: it needs at least as many parents at every scale point.
      if (const Table* parent = c_.p.find_table(c.ref->table)) {
        for (const auto& scale : c_.p.scales) {
          const int64_t children = c_.p.rows(table, scale), parents = c_.p.rows(*parent, scale);
          if (children > parents) {
            repeats_error(table, c,
                          fmt::format("at scale '{}' its {} rows need as many parent rows, and {} "
                                      "has {}",
                                      scale.name, children, parent->name, parents));
            return;
          }
        }
      }
      return;
    }
    switch (d.kind) {
      case DistKind::kSequence:
        if (d.step == 0 && rows > 1) repeats_error(table, c, "its sequence has step 0");
        break;
      case DistKind::kUniform:
        if (!c.type.is_integer()) {
          repeats_error(table, c, fmt::format("uniform {} repeats values", c.type.sql()));
        } else {
          // The same bounds the generator uses: the profile's, else 1..1000.
          const double lo = d.min.value_or(1), hi = d.max.value_or(1000);
          if (hi - lo + 1 < static_cast<double>(rows)) domain_error(table, c, hi - lo + 1, rows);
        }
        break;
      case DistKind::kWeighted: {
        // Values the column's type cannot tell apart count once (1 and 01, 'a' and 'a ').
        std::set<std::string> distinct;
        for (const auto& v : d.values) distinct.insert(canonical_literal(c.type, v));
        if (static_cast<double>(distinct.size()) < static_cast<double>(rows))
          domain_error(table, c, static_cast<double>(distinct.size()), rows);
        else if (rows > 1)
          repeats_error(table, c, "'weighted' draws its values at random, so they repeat");
        break;
      }
      case DistKind::kBernoulli:
        if (rows > 2)
          domain_error(table, c, 2, rows);
        else if (rows > 1)
          repeats_error(table, c, "'bernoulli' draws at random, so values repeat");
        break;
      case DistKind::kPattern:
        if (pattern_domain(d.pattern) < static_cast<double>(rows))
          domain_error(table, c, pattern_domain(d.pattern), rows);
        break;
      case DistKind::kWords:
        check_unique_words(table, c, rows);
        break;
      case DistKind::kUuid:
        break;
      case DistKind::kCopy:
        repeats_error(table, c, "a copy repeats its parents' values");
        break;
      case DistKind::kChildNumber:
        repeats_error(table, c,
                      "child numbers repeat from parent to parent (the pair with the foreign "
                      "key is unique: make that the key)");
        break;
      case DistKind::kFanout:
        break;  // a foreign key: refused above
      case DistKind::kNormal:
      case DistKind::kLognormal:
      case DistKind::kZipf:
      case DistKind::kHotset:
      case DistKind::kTimeline:
      case DistKind::kArray:
      case DistKind::kDocument:
        repeats_error(table, c, fmt::format("'{}' repeats values", to_string(d.kind)));
        break;
      case DistKind::kEmpirical: {
        // Unique empirical values are the listed ones (MCVs and bounds), each once.
        std::set<std::string> distinct;
        for (const auto& v : d.values) distinct.insert(canonical_literal(c.type, v));
        for (const auto& v : d.histogram) distinct.insert(canonical_literal(c.type, v));
        if (static_cast<double>(distinct.size()) < static_cast<double>(rows))
          domain_error(table, c, static_cast<double>(distinct.size()), rows);
        break;
      }
    }
  }

  void check_unique_words(const Table& table, const Column& c, int64_t rows) {
    if (c.type.max_chars() <= 0) return;
    // Unique words end in " " + the row's base-36 code, after at least one
    // character of words: shorter columns would cut the code off.
    int needed = 2;
    for (int64_t code = std::max<int64_t>(rows - 1, 1); code > 0; code /= 36) ++needed;
    if (c.type.length < needed)
      r_.error("profile.unique-domain", CheckContext::at(c),
               fmt::format("unique words of {} need {} characters for {} rows, more than {} "
                           "allows",
                           CheckContext::name(table, c), needed, rows, c.type.sql()),
               "widen the column, or use a pattern for short unique codes");
  }

  // A unique index holds when one of its columns is unique on its own.
  void check_unique_index(const Table& table, const IndexSpec& index) {
    for (const auto& name : index.columns) {
      const Column* c = table.find_column(name);
      if (!c || CheckContext::unique(table, *c)) return;
    }
    if (std::is_permutation(index.columns.begin(), index.columns.end(), table.primary_key.begin(),
                            table.primary_key.end()))
      return;
    if (holds_fanout_pair(table, index.columns)) return;
    if (index.definition.empty() && index.columns.size() > 1) {
      check_composite_key(c_, table, index.columns, index.pos,
                          fmt::format("unique index on {}", table.name));
      return;
    }
    r_.error("profile.unique-domain", index.pos,
             fmt::format("unique index on {} ({}) cannot be guaranteed unique: none of its "
                         "columns is",
                         table.name, fmt::join(index.columns, ", ")),
             "mark one of its columns unique: true, or index a fanout foreign key with its "
             "child_number, or drop unique from the index");
  }

  void check_cycles() {
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
};

}  // namespace

void check_keys(const CheckContext& ctx) {
  KeyChecker(ctx).run();
}

void check_profile(const Profile& profile, Reader& reader) {
  const CheckContext ctx(profile, reader);
  check_keys(ctx);
  check_pair_order(ctx);
  check_values(ctx);
  check_names(ctx);
  check_queries(ctx);
  check_objects(ctx);
  check_fragments(profile, reader);
}

}  // namespace pgshape::profile

namespace pgshape {

std::vector<Diagnostic> validate_profile(const Profile& profile) {
  profile::Reader reader(profile.file);
  profile::check_profile(profile, reader);
  return reader.diagnostics();
}

}  // namespace pgshape
