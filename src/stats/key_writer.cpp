// The keys of a stats-made profile built by construction: foreign keys with
// their production fan-out and child numbers, composite foreign keys copied
// from a parent row, composite keys made unique by pairing.
#include <cstdlib>

#include "stats/implied_keys.hpp"
#include "stats/profile_writer_parts.hpp"

namespace pgshape::stats {

bool ProfileWriter::is_integer_type(const ColumnStats& c) {
  const auto type = parse_column_type(c.type);
  return type && type->is_integer();
}

// The first (foreign key, integer column) pair of a composite primary key or
// unique key (constraint or index) that both are NOT NULL: the pair makes the
// key unique by construction, whatever else it holds.
std::optional<ProfileWriter::FanoutKey> ProfileWriter::find_fanout_key(const TableStats& t) const {
  std::vector<std::vector<std::string>> keys;
  if (t.primary_key.size() > 1) keys.push_back(t.primary_key);
  for (const auto& u : t.unique_keys)
    if (u.size() > 1) keys.push_back(u);
  for (const auto& index : t.indexes)
    if (index.unique && index.columns.size() > 1) keys.push_back(index.columns);
  for (const auto& key : keys) {
    for (const auto& a : key) {
      const ColumnStats* fk = t.find_column(a);
      if (!fk || !fk->not_null || !usable_fk(t, a)) continue;
      for (const auto& b : key) {
        const ColumnStats* number = t.find_column(b);
        if (b == a || !number || !number->not_null || !is_integer_type(*number) ||
            usable_fk(t, b) || number->generated || !number->identity.empty() ||
            unique_alone(t, b) || unique_alone(t, a))
          continue;
        FanoutKey out{.fk = a, .number = b};
        // Numbers start where production's do (the smallest value it shows).
        std::optional<double> lowest;
        auto see = [&](const std::string& v) {
          char* end = nullptr;
          const double x = std::strtod(v.c_str(), &end);
          if (end != v.c_str() && (!lowest || x < *lowest)) lowest = x;
        };
        for (const auto& v : number->mcv) see(v);
        if (!number->histogram.empty()) see(number->histogram.front());
        if (lowest && std::fabs(*lowest) < 1e15) out.start = std::llround(*lowest);
        // Children stored next to their parent in production: keep them so.
        out.cluster = fk->correlation && std::fabs(*fk->correlation) >= 0.5;
        return out;
      }
      // A junction table's key (order_id, product_id): the second foreign key
      // picks distinct parents within each family of the first.
      for (const auto& b : key) {
        const ColumnStats* other = t.find_column(b);
        if (b == a || !other || !other->not_null || !usable_fk(t, b) || unique_alone(t, b) ||
            unique_alone(t, a))
          continue;
        return FanoutKey{.fk = a,
                         .distinct = b,
                         .cluster = fk->correlation && std::fabs(*fk->correlation) >= 0.5};
      }
    }
  }
  return std::nullopt;
}

// A foreign key picking distinct parents within each family: its most common
// parents as a hot set (their share, Zipf beyond), else uniform.
void ProfileWriter::distinct_dist(YAML::Emitter& out, const ColumnStats& c) const {
  double share = 0;
  int64_t hot = 0;
  for (size_t i = 0; i < c.mcv.size() && i < c.mcf.size(); ++i) share += c.mcf[i], ++hot;
  if (hot > 0 && share > 0 && share < 1) {
    out << YAML::Key << "dist" << YAML::Value << "hotset";
    out << YAML::Key << "hot" << YAML::Value << hot;
    out << YAML::Key << "share" << YAML::Value << std::round(share * 1e6) / 1e6;
  } else {
    out << YAML::Key << "dist" << YAML::Value << "uniform";
  }
  out << YAML::Key << "of" << YAML::Value << fanout_->fk;
}

// Unique on its own (a key or a full unique index): such a column keeps its own dist.
bool ProfileWriter::unique_alone(const TableStats& t, const std::string& column) {
  if (unique_column(t, column)) return true;
  for (const auto& index : t.indexes)
    if (index.unique && single_key(index.columns, column) && index.where.empty()) return true;
  return false;
}

// A multi-column foreign key of `t` this import can express: to an imported
// parent whose primary key is those columns and is made by construction (a
// fanout key and its child numbers), every column NOT NULL, no name a
// `parent(x, y)` text cannot hold. The child picks a parent row and copies
// its key, so every pair exists.
const ForeignKeyStats* ProfileWriter::composite_fk(const TableStats& t,
                                                   const ForeignKeyStats& fk) const {
  if (fk.columns.size() < 2 || fk.columns.size() != fk.parent_columns.size()) return nullptr;
  const TableStats* parent = snap_.find_table(fk.parent_table);
  if (!parent || parent == &t) return nullptr;
  const auto key = find_fanout_key(*parent);
  auto sorted = [](std::vector<std::string> v) {
    std::sort(v.begin(), v.end());
    return v;
  };
  const auto pk = sorted(parent->primary_key);
  const bool fanout_pair = key && !key->number.empty() && pk == sorted({key->fk, key->number});
  if (pk != sorted(fk.parent_columns) || !(fanout_pair || (!key && paired_key(*parent))))
    return nullptr;
  auto plain = [](const std::string& name) {
    return name.find_first_of("(),\"") == std::string::npos && !name.empty() &&
           name.front() != ' ' && name.back() != ' ';
  };
  if (!plain(fk.parent_table)) return nullptr;
  for (size_t i = 0; i < fk.columns.size(); ++i) {
    const ColumnStats* c = t.find_column(fk.columns[i]);
    const ColumnStats* p = parent->find_column(fk.parent_columns[i]);
    if (!c || !p || !c->not_null || !profile_type(*c) || !profile_type(*p) ||
        !plain(fk.parent_columns[i]) || c->generated || !c->identity.empty())
      return nullptr;
    if ((usable_fk(t, fk.columns[i]) &&
         usable_fk(t, fk.columns[i]) != implied_fk(t, fk, fk.columns[i])) ||
        (fanout_ && (fanout_->fk == fk.columns[i] || fanout_->number == fk.columns[i] ||
                     fanout_->distinct == fk.columns[i])))
      return nullptr;  // the column is already another key's
  }
  return &fk;
}

const ForeignKeyStats* ProfileWriter::implied_fk(const TableStats& t,
                                                 const ForeignKeyStats& composite,
                                                 const std::string& column) const {
  return stats::implied_by_composite(snap_, t, composite, column,
                                     [this](const TableStats& p, const ForeignKeyStats& f) {
                                       return usable_fk(p, f.columns[0]) == &f;
                                     });
}

// A parent's composite primary key the generator pairs (its first two
// columns drawn by their own distributions, not copied through a key).
bool ProfileWriter::paired_key(const TableStats& parent) const {
  const auto& key = parent.primary_key;
  if (key.size() < 2) return false;
  for (size_t i = 0; i < key.size(); ++i) {
    const ColumnStats* c = parent.find_column(key[i]);
    if (!c || !profile_type(*c)) return false;
    for (const auto& f : parent.foreign_keys)
      if (i < 2 && f.columns.size() > 1 &&
          std::find(f.columns.begin(), f.columns.end(), key[i]) != f.columns.end())
        return false;
  }
  return true;
}

// The multi-column foreign key whose column `column` is (and its place in it).
const ForeignKeyStats* ProfileWriter::composite_fk_of(const TableStats& t,
                                                      const std::string& column, size_t& at) const {
  for (const auto& fk : t.foreign_keys)
    if (composite_fk(t, fk))
      for (size_t i = 0; i < fk.columns.size(); ++i)
        if (fk.columns[i] == column) return at = i, &fk;
  return nullptr;
}

void ProfileWriter::choose_table_pairs(const TableStats& t) {
  auto pairable = [&](const std::string& name) {
    const ColumnStats* c = t.find_column(name);
    size_t at = 0;
    if (!c || !profile_type(*c) || (composite_fk_of(t, name, at) && at > 0)) return false;
    return !(fanout_ &&
             (fanout_->fk == name || fanout_->number == name || fanout_->distinct == name));
  };
  auto proven = [&](const std::vector<std::string>& key) {
    return holds_fanout_key(key) ||
           std::any_of(key.begin(), key.end(), [&](const auto& c) { return unique_column(t, c); });
  };
  pairs_ = stats::choose_pairs(t, pairable, proven);
}

// A pair's member column with the n_distinct its family needs.
ColumnStats ProfileWriter::pair_member_stats(const TableStats& t, const ColumnStats& c) const {
  ColumnStats out = c;
  for (const auto& p : pairs_)
    if (p.members.size() == 1 && p.members[0] == c.name)
      if (const ColumnStats* family = t.find_column(p.family))
        out.n_distinct =
            stats::member_n_distinct(*family, c, static_cast<double>(observed_rows(t)));
  return out;
}

bool ProfileWriter::holds_fanout_key(const std::vector<std::string>& columns) const {
  if (!fanout_) return false;
  auto listed = [&](const std::string& c) {
    return std::find(columns.begin(), columns.end(), c) != columns.end();
  };
  return listed(fanout_->fk) &&
         (fanout_->number.empty() ? listed(fanout_->distinct) : listed(fanout_->number));
}

// The parents a fanout key uses in production: its n_distinct as a count (one
// child each when unknown), at most its rows and its parent table's rows.
double ProfileWriter::fanout_used(const TableStats& t, const ColumnStats& c) const {
  const auto r = static_cast<double>(observed_rows(t));
  double parents = c.n_distinct >= 0 ? c.n_distinct : -c.n_distinct * r;
  if (!c.has_stats || !(parents >= 1)) parents = r;
  if (const ForeignKeyStats* fk = usable_fk(t, c.name))
    if (const TableStats* parent = snap_.find_table(fk->parent_table))
      parents = std::min(parents, static_cast<double>(observed_rows(*parent)));
  return std::max(1.0, std::min(std::round(parents), r));
}

// The test scale point's rows of a table with a fanout key: as every table's,
// but no more than its parent's test rows can take at production's mean.
int64_t ProfileWriter::fanout_test_rows(const TableStats& t, int64_t rows) const {
  int64_t out = test_rows(rows);
  const ColumnStats* c = t.find_column(fanout_->fk);
  const ForeignKeyStats* fk = c ? usable_fk(t, c->name) : nullptr;
  const TableStats* parent = fk ? snap_.find_table(fk->parent_table) : nullptr;
  if (!parent) return out;
  const double mean = static_cast<double>(rows) / fanout_used(t, *c);
  const auto parent_test = static_cast<double>(test_rows(observed_rows(*parent)));
  return std::max<int64_t>(
      1, std::min<int64_t>(out, std::llround(std::floor(parent_test * mean * 0.99))));
}

// The fan-out of a foreign key from its pg_stats row: production's parents
// used (n_distinct), each most common parent with its own child count
// (frequency x rows), the other parents sharing the other rows as evenly as
// whole numbers allow (two neighbouring sizes with production's mean).
void ProfileWriter::fanout_dist(YAML::Emitter& out, const TableStats& t, const ColumnStats& c,
                                int64_t rows) const {
  const auto r = static_cast<double>(rows);
  const double parents = fanout_used(t, c);
  std::map<int64_t, double> weights;
  double left_rows = r, left_parents = parents;
  for (size_t i = 0; i < c.mcv.size() && i < c.mcf.size() && left_parents > 1; ++i) {
    const auto size = std::max<int64_t>(1, std::llround(c.mcf[i] * r));
    if (static_cast<double>(size) > left_rows - (left_parents - 1)) break;
    weights[size] += 1;
    left_rows -= static_cast<double>(size);
    left_parents -= 1;
  }
  if (left_parents >= 1 && left_rows >= 1) {
    const double mean = std::max(1.0, left_rows / left_parents);
    const double lo = std::floor(mean), share_hi = mean - lo;
    if (share_hi < 1 - 1e-9) weights[static_cast<int64_t>(lo)] += left_parents * (1 - share_hi);
    if (share_hi > 1e-9) weights[static_cast<int64_t>(lo) + 1] += left_parents * share_hi;
  }
  if (weights.empty()) weights[1] = 1;
  out << YAML::Key << "dist" << YAML::Value << "fanout";
  out << YAML::Key << "values" << YAML::Value << YAML::Flow << YAML::BeginMap;
  for (const auto& [size, weight] : weights)
    out << YAML::Key << size << YAML::Value << std::round(weight * 1e6) / 1e6;
  out << YAML::EndMap;
}

// The foreign key of `column` this import can express (single column, to a
// unique parent column of an imported table), or nullptr.
const ForeignKeyStats* ProfileWriter::usable_fk(const TableStats& t,
                                                const std::string& column) const {
  for (const auto& fk : t.foreign_keys) {
    if (!single_key(fk.columns, column)) continue;
    // A profile refuses a NOT NULL key to its own table (a cycle with no way in).
    if (const ColumnStats* own = t.find_column(column);
        fk.parent_table == t.name && own && own->not_null)
      continue;
    const TableStats* parent = snap_.find_table(fk.parent_table);
    if (!parent) continue;
    // The parent column must be in the profile as a generated key.
    const ColumnStats* key = parent->find_column(fk.parent_columns[0]);
    if (unique_column(*parent, fk.parent_columns[0]) && key && profile_type(*key) &&
        !key->generated)
      return &fk;
  }
  return nullptr;
}

bool ProfileWriter::unique_column(const TableStats& t, const std::string& column) {
  if (single_key(t.primary_key, column)) return true;
  for (const auto& u : t.unique_keys)
    if (single_key(u, column)) return true;
  return false;
}

}  // namespace pgshape::stats
