// Whole-profile checks of keys that must be unique: primary keys, unique
// columns (each kind against the rows of the largest scale point) and unique
// indexes.
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
namespace {

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

}  // namespace

void KeyChecker::check_primary_key(const Table& table) {
  for (const auto& name : table.primary_key)
    if (!table.find_column(name))
      r_.error("profile.unknown-column", table.pos,
               fmt::format("{} names unknown column '{}'", CheckContext::primary_key(table), name));
  if (table.primary_key.size() <= 1) return;
  check_composite_key(c_, table, table.primary_key, table.pos, CheckContext::primary_key(table));
}

void KeyChecker::domain_error(const Table& table, const Column& c, double domain, int64_t rows) {
  r_.error("profile.unique-domain", CheckContext::at(c),
           fmt::format("{} is unique but its domain has {:.0f} values for {} rows",
                       CheckContext::name(table, c), domain, rows),
           "widen the domain or drop unique");
}

void KeyChecker::repeats_error(const Table& table, const Column& c, std::string_view why) {
  r_.error("profile.unique-domain", CheckContext::at(c),
           fmt::format("{} is unique but {}", CheckContext::name(table, c), why),
           "unique values come from sequence, integer uniform, pattern, words or uuid");
}

// Every unique kind, against the rows of the largest scale point.
void KeyChecker::check_unique(const Table& table, const Column& c) {
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
    case DistKind::kRange:
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

void KeyChecker::check_unique_words(const Table& table, const Column& c, int64_t rows) {
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
void KeyChecker::check_unique_index(const Table& table, const IndexSpec& index) {
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
                        CheckContext::unique_index(table, index));
    return;
  }
  r_.error("profile.unique-domain", index.pos,
           fmt::format("{} cannot be guaranteed unique: none of its columns is",
                       CheckContext::unique_index(table, index)),
           "mark one of its columns unique: true, or index a fanout foreign key with its "
           "child_number, or drop unique from the index");
}

}  // namespace pgshape::profile
