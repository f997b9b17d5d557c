// One column of a stats-made profile: its type, key and the distribution that
// reproduces its pg_stats row.
#include "pgshape/pg.hpp"
#include "stats/check_pattern.hpp"
#include "stats/element_writer.hpp"
#include "stats/profile_writer_parts.hpp"

namespace pgshape::stats {

// Emits one column; false when its type cannot be reproduced (it is left out).
bool ProfileWriter::column(YAML::Emitter& out, const TableStats& t, const ColumnStats& c,
                           int64_t rows) {
  if (c.generated) {
    const auto named = c.extension_type.empty() ? profile_type(c) : std::nullopt;
    const bool opaque =
        !named && c.extension_type.empty() && opaque_spelling(c.type) && !type_missing(c.type);
    return objects_.write_generated(out, t, c,
                                    named    ? named->first
                                    : opaque ? c.type
                                             : "",
                                    [this](const auto& o, const auto& r) { leave_out(o, r); });
  }
  if (!c.extension_type.empty()) {
    leave_out(fmt::format("column {}.{}", t.name, c.name),
              fmt::format("its type {} comes from extension {}, which stats does not create on "
                          "the mirror",
                          c.type, c.extension_type));
    return false;
  }
  auto named = profile_type(c);
  if (!named) {
    bool referenced = false;
    for (const auto& other : snap_.tables)
      for (const auto& f : other.foreign_keys)
        referenced = referenced || (f.parent_table == t.name &&
                                    std::find(f.parent_columns.begin(), f.parent_columns.end(),
                                              c.name) != f.parent_columns.end());
    for (const auto& fk : t.foreign_keys)
      if (std::find(fk.columns.begin(), fk.columns.end(), c.name) != fk.columns.end())
        leave_out(
            fmt::format("foreign key {}.{}", t.name, fk.name),
            fmt::format("column {} has type {}, which pgshape does not generate", c.name, c.type));
    // Production's own values as the type's literals: the MCVs with their
    // frequencies and the histogram's bounds sharing the rest.
    std::vector<std::pair<std::string, double>> sample;
    double named_share = 0;
    for (size_t i = 0; i < c.mcv.size() && i < c.mcf.size(); ++i)
      if (c.mcf[i] > 0) {
        sample.emplace_back(c.mcv[i], c.mcf[i]);
        named_share += c.mcf[i];
      }
    const double rest = std::max(0.0, 1.0 - c.null_frac - named_share);
    for (const auto& bound : c.histogram)
      sample.emplace_back(bound, std::max(rest, 1e-6) / static_cast<double>(c.histogram.size()));
    const bool keyed = single_key(t.primary_key, c.name) || referenced || unique_column(t, c.name);
    if (!keyed && !snap_.redacted && opaque_spelling(c.type) && !type_missing(c.type))
      if (auto note = stats::write_element_column(out, c, t.reltuples)) {
        notes_.push_back(fmt::format("{}.{}", t.name, *note));
        return true;
      }
    // Not under --redact: only text values are redacted, and these are not text.
    if (!sample.empty() && !keyed && !snap_.redacted && opaque_spelling(c.type) &&
        !type_missing(c.type)) {
      leave_out(fmt::format("values of column {}.{}", t.name, c.name),
                fmt::format("type {} is not one pgshape generates: its values are drawn from "
                            "the {} production values pg_stats holds (fewer distinct values)",
                            c.type, sample.size()));
      out << YAML::Key << c.name << YAML::Value << YAML::BeginMap;
      out << YAML::Key << "type" << YAML::Value << YAML::DoubleQuoted << c.type;
      const bool nullable = !c.not_null;
      if (nullable) out << YAML::Key << "nullable" << YAML::Value << true;
      if (nullable && c.null_frac > 0)
        out << YAML::Key << "null_fraction" << YAML::Value << std::min(c.null_frac, 0.999);
      out << YAML::Key << "dist" << YAML::Value << "weighted";
      out << YAML::Key << "values" << YAML::Value << YAML::Flow << YAML::BeginMap;
      std::map<std::string, double> seen;
      for (const auto& [v, w] : sample) seen[v] += w;
      for (const auto& [v, w] : sample)
        if (auto it = seen.find(v); it != seen.end()) {
          out << YAML::Key << YAML::DoubleQuoted << v << YAML::Value << it->second;
          seen.erase(it);
        }
      out << YAML::EndMap << YAML::EndMap;
      return true;
    }
    if (c.not_null || keyed || !opaque_spelling(c.type) || type_missing(c.type)) {
      leave_out(fmt::format("column {}.{}", t.name, c.name),
                fmt::format("type {} is not one pgshape generates{}: the mirror's table lacks "
                            "it",
                            c.type,
                            keyed        ? " and the column is a key"
                            : c.not_null ? stats::no_values_reason(c)
                                         : ""));
      return false;
    }
    // Nullable: the column stays, all NULL, so queries and indexes naming it
    // still work on the mirror; its values are what is left out.
    leave_out(fmt::format("values of column {}.{}", t.name, c.name),
              fmt::format("type {} is not one pgshape generates: the column is all NULL on "
                          "the mirror",
                          c.type));
    out << YAML::Key << c.name << YAML::Value << YAML::Flow << YAML::BeginMap;
    out << YAML::Key << "type" << YAML::Value << YAML::DoubleQuoted << c.type;
    out << YAML::Key << "null_fraction" << YAML::Value << 1 << YAML::EndMap;
    return true;
  }
  const ColumnType* type = &named->second;
  const TypeStats* own = nullptr;
  if (auto it = types_.find(c.type); it != types_.end()) own = it->second;
  const bool is_enum = own && own->kind == 'e';
  const bool pk = single_key(t.primary_key, c.name);
  bool unique = unique_column(t, c.name);
  for (const auto& index : t.indexes)
    if (index.unique && index.plain && single_key(index.columns, c.name) && index.where.empty())
      unique = true;
  const ForeignKeyStats* fk = usable_fk(t, c.name);
  size_t in_composite = 0;
  const ForeignKeyStats* composite = composite_fk_of(t, c.name, in_composite);
  const ForeignKeyStats* implied = composite ? implied_fk(t, *composite, c.name) : nullptr;
  if (fk == implied) fk = nullptr;  // a constraint only: `composite` generates the column
  for (const auto& other : t.foreign_keys)
    if (&other != fk && &other != composite && &other != implied &&
        std::find(other.columns.begin(), other.columns.end(), c.name) != other.columns.end())
      leave_out(fmt::format("foreign key {}.{}", t.name, other.name),
                "multi-column, to a table or key not imported, or NOT NULL to its own table");
  // A referenced column must not be NULL in a profile.
  bool referenced = false;
  for (const auto& other : snap_.tables)
    for (const auto& f : other.foreign_keys)
      if (f.parent_table == t.name && single_key(f.parent_columns, c.name)) referenced = true;

  out << YAML::Key << c.name << YAML::Value << YAML::BeginMap;
  out << YAML::Key << "type" << YAML::Value << named->first;
  if (!c.identity.empty() && type->is_integer() && type->user_type.empty())
    out << YAML::Key << "identity" << YAML::Value << (c.identity == "a" ? "always" : "by default");
  if (pk && !fk && unique_dist_possible(*type))
    out << YAML::Key << "primary_key" << YAML::Value << true;
  if (unique && !pk && !fk && unique_dist_possible(*type))
    out << YAML::Key << "unique" << YAML::Value << true;
  const bool nullable = !c.not_null && !pk && !referenced;
  if (nullable) out << YAML::Key << "nullable" << YAML::Value << true;
  if (nullable && c.has_stats && c.null_frac > 0)
    out << YAML::Key << "null_fraction" << YAML::Value << std::min(c.null_frac, 0.999);
  if (fk)
    out << YAML::Key << "ref" << YAML::Value
        << ref_part(fk->parent_table) + "." + ref_part(fk->parent_columns[0]);
  if (fk) stats::ObjectWriter::write_fk_actions(out, fk->actions);
  if (composite) {
    // The first column picks a parent row (uniformly: production's pairs are
    // not in pg_stats), the others copy that row's key columns.
    if (in_composite == 0)
      out << YAML::Key << "ref" << YAML::Value
          << ref_part(composite->parent_table) + "." + ref_part(composite->parent_columns[0])
          << YAML::Key << "dist" << YAML::Value << "uniform";
    else
      out << YAML::Key << "dist" << YAML::Value << "copy" << YAML::Key << "from" << YAML::Value
          << ref_part(composite->columns[0]) + "." +
                 ref_part(composite->parent_columns[in_composite]);
    out << YAML::EndMap;
    return true;
  }
  std::vector<std::string> allowed;
  if (is_enum) allowed = own->labels;
  if (auto it = in_lists_.find(c.name); it != in_lists_.end()) allowed = it->second;
  if (own && own->kind == 'd')
    for (const auto& check : own->checks)
      if (auto shape = check_shape(check_expression(check), "VALUE"); !shape.in_list.empty())
        allowed = shape.in_list;
  std::optional<std::string> pattern;
  if (auto it = patterns_.find(c.name); it != patterns_.end()) pattern = it->second;
  if (own && own->kind == 'd') pattern = domain_pattern(own->checks, type->max_chars());
  // When the MCVs are every value (currency or country codes under a regex
  // CHECK), production's values and shares beat random strings inside the
  // pattern: production holds them, so they pass the CHECK, and a query for
  // 'USD' finds its rows. Redacted values are tokens that might not pass it.
  const double distinct =
      c.n_distinct < 0 ? -c.n_distinct * static_cast<double>(rows) : c.n_distinct;
  const bool listed = !snap_.redacted && c.has_stats && !c.mcv.empty() && c.histogram.empty() &&
                      distinct > 0 && distinct <= static_cast<double>(c.mcv.size()) + 0.5;
  if (listed && !pk && !unique) pattern.reset();
  if (pattern && !fk && !composite && !(fanout_ && c.name == fanout_->number)) {
    // Values only a CHECK's LIKE / regex lets through: its pattern, with production's
    // distinct count (a unique column's codes are all distinct anyway).
    out << YAML::Key << "dist" << YAML::Value << "pattern" << YAML::Key << "pattern" << YAML::Value
        << YAML::DoubleQuoted << *pattern;
    if (c.has_stats && c.n_distinct != 0 && !pk && !unique)
      out << YAML::Key << "n_distinct" << YAML::Value
          << (c.n_distinct > 0 ? std::round(c.n_distinct) : c.n_distinct);
  } else if (fanout_ && c.name == fanout_->fk && fk) {
    fanout_dist(out, t, c, rows);
  } else if (fanout_ && c.name == fanout_->distinct && fk) {
    distinct_dist(out, c);
  } else if (fanout_ && !fanout_->number.empty() && c.name == fanout_->number) {
    out << YAML::Key << "dist" << YAML::Value << "child_number";
    out << YAML::Key << "of" << YAML::Value << fanout_->fk;
    if (fanout_->start != 1) out << YAML::Key << "start" << YAML::Value << fanout_->start;
  } else if (!allowed.empty() && !fk) {
    // A closed set of values (an enum's labels, a CHECK's IN list): production's
    // frequencies for the ones pg_stats names, the rest shared among the others.
    if (pk || unique)
      notes_.push_back(fmt::format("{}.{}: {} values cannot be unique; not unique", t.name, c.name,
                                   named->first));
    closed_dist(out, c, allowed);
  } else if ((pk || unique) && !fk && whole_unique_text(c, *type, rows)) {
    // Every value is in the statistics (a small table's names, codes): those
    // values, each once, rather than random strings.
    value_dist(out, t, c, *type, false);
  } else if ((pk || unique) && !fk && unique_dist_possible(*type)) {
    unique_dist(out, c, *type, rows);
  } else {
    if (pk || unique)
      leave_out(
          fmt::format("{} of column {}.{}", pk ? "primary key" : "uniqueness", t.name, c.name),
          fmt::format("unique {} values cannot be generated", type->sql()));
    const bool paired = std::any_of(pairs_.begin(), pairs_.end(), [&](const auto& p) {
      return p.family == c.name ||
             std::find(p.members.begin(), p.members.end(), c.name) != p.members.end();
    });
    value_dist(out, t, paired ? pair_member_stats(t, c) : c, *type, fk != nullptr);
    if (!fk && !pk && !unique && !paired) given(out, t, c, *type);
  }
  out << YAML::EndMap;
  return true;
}

void ProfileWriter::closed_dist(YAML::Emitter& out, const ColumnStats& c,
                                const std::vector<std::string>& allowed) {
  std::map<std::string, double> freq;
  double named = 0;
  for (size_t i = 0; i < c.mcv.size() && i < c.mcf.size(); ++i)
    if (std::find(allowed.begin(), allowed.end(), c.mcv[i]) != allowed.end()) {
      freq[c.mcv[i]] = c.mcf[i];
      named += c.mcf[i];
    }
  // Values between the histogram's bounds (or any, without one) share the rest.
  std::vector<std::string> others;
  for (const auto& v : allowed)
    if (!freq.count(v)) others.push_back(v);
  const double rest = std::max(0.0, 1.0 - c.null_frac - named);
  const bool spread = !others.empty() && (rest > 1e-6 || freq.empty());
  out << YAML::Key << "dist" << YAML::Value << "weighted";
  out << YAML::Key << "values" << YAML::Value << YAML::Flow << YAML::BeginMap;
  for (const auto& v : allowed) {
    double w = freq.count(v) ? freq[v] : spread ? std::max(rest, 1e-6) / others.size() : 0;
    if (freq.empty()) w = 1;
    if (w > 0) out << YAML::Key << YAML::DoubleQuoted << v << YAML::Value << w;
  }
  out << YAML::EndMap;
}

// A unique text column whose histogram bounds (and MCVs) hold a value for
// every row: ANALYZE saw the whole table and it has few rows.
bool ProfileWriter::whole_unique_text(const ColumnStats& c, const ColumnType& type, int64_t rows) {
  if (!type.is_textual() || !c.has_stats || c.histogram.size() < 2) return false;
  std::set<std::string> values(c.histogram.begin(), c.histogram.end());
  values.insert(c.mcv.begin(), c.mcv.end());
  return static_cast<int64_t>(values.size()) >= rows;
}

bool ProfileWriter::unique_dist_possible(const ColumnType& type) {
  return type.is_integer() || type.is_textual() || type.kind == PgType::kUuid;
}

void ProfileWriter::unique_dist(YAML::Emitter& out, const ColumnStats& c, const ColumnType& type,
                                int64_t rows) {
  if (type.kind == PgType::kUuid) {
    out << YAML::Key << "dist" << YAML::Value << "uuid";
    return;
  }
  if (type.is_textual()) {
    // Unique text: a pattern of letters and digits as wide as the values are.
    int width = static_cast<int>(std::llround(std::max(1.0, c.avg_width - 1)));
    int needed = 1;
    for (double domain = 36; domain < 4.0 * static_cast<double>(rows); domain *= 36) ++needed;
    width = std::max(width, needed);
    if (type.max_chars() > 0) width = std::min(width, type.max_chars());
    out << YAML::Key << "dist" << YAML::Value << "pattern";
    out << YAML::Key << "pattern" << YAML::Value << YAML::DoubleQuoted << std::string(width, '*');
    return;
  }
  // Integer keys: a sequence over the observed range.
  int64_t start = 1, step = 1;
  if (c.histogram.size() >= 2) {
    const double lo = std::strtod(c.histogram.front().c_str(), nullptr);
    const double hi = std::strtod(c.histogram.back().c_str(), nullptr);
    start = static_cast<int64_t>(lo);
    if (rows > 1)
      step = std::max<int64_t>(1, std::llround((hi - lo) / static_cast<double>(rows - 1)));
  }
  out << YAML::Key << "dist" << YAML::Value << "sequence";
  if (start != 1) out << YAML::Key << "start" << YAML::Value << start;
  if (step != 1) out << YAML::Key << "step" << YAML::Value << step;
}

void ProfileWriter::value_dist(YAML::Emitter& out, const TableStats& t, const ColumnStats& c,
                               const ColumnType& type, bool fk) {
  if (!c.has_stats) {
    if (fk) out << YAML::Key << "dist" << YAML::Value << "uniform";
    if (!fk && type.is_textual()) out << YAML::Key << "dist" << YAML::Value << "words";
    if (c.stats_hidden) {
      if (hidden_tables_.empty() || hidden_tables_.back() != t.name)
        hidden_tables_.push_back(t.name);
      ++hidden_columns_;
      return;
    }
    notes_.push_back(
        fmt::format("{}.{}: no statistics on the source (not analyzed?); "
                    "default distribution",
                    t.name, c.name));
    return;
  }
  std::vector<std::pair<std::string, double>> values;
  for (size_t i = 0; i < c.mcv.size() && i < c.mcf.size(); ++i)
    if (readable(type, c.mcv[i]) && c.mcf[i] > 0) values.emplace_back(c.mcv[i], c.mcf[i]);
  std::vector<std::string> histogram;
  for (const auto& b : c.histogram)
    if (readable(type, b)) histogram.push_back(b);
  if (type.kind == PgType::kUuid && c.n_distinct < -0.5) {
    out << YAML::Key << "dist" << YAML::Value << "uuid";
    return;
  }
  if (values.empty() && histogram.size() < 2) {
    if (fk) out << YAML::Key << "dist" << YAML::Value << "uniform";
    if (!fk && type.is_textual()) out << YAML::Key << "dist" << YAML::Value << "words";
    return;
  }
  out << YAML::Key << "dist" << YAML::Value << "empirical";
  if (!values.empty()) {
    out << YAML::Key << "values" << YAML::Value << YAML::Flow << YAML::BeginMap;
    for (const auto& [v, f] : values)
      out << YAML::Key << YAML::DoubleQuoted << v << YAML::Value << f;
    out << YAML::EndMap;
  }
  if (histogram.size() >= 2) {
    out << YAML::Key << "histogram" << YAML::Value << YAML::Flow << YAML::BeginSeq;
    for (const auto& b : histogram) out << YAML::DoubleQuoted << b;
    out << YAML::EndSeq;
  }
  out << YAML::Key << "n_distinct" << YAML::Value << c.n_distinct;
  if (c.correlation)
    out << YAML::Key << "correlation" << YAML::Value << std::round(*c.correlation * 1e6) / 1e6;
  if (type.is_textual() && c.avg_width > 0)
    out << YAML::Key << "avg_width" << YAML::Value << c.avg_width;
}

}  // namespace pgshape::stats
