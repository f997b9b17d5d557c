// Whole-profile checks: what a single key cannot show — foreign keys, cycles,
// value domains against row counts and column types.
#include <fmt/format.h>
#include <charconv>
#include <cmath>
#include <functional>
#include <limits>

#include "pgshape/profile.hpp"
#include "pgshape/util.hpp"
#include "profile/reader.hpp"

namespace pgshape::profile {
namespace {

bool types_compatible(const ColumnType& a, const ColumnType& b) {
  if (a.is_integer() && b.is_integer()) return true;
  if (a.is_textual() && b.is_textual()) return true;
  if (a.is_fractional() && b.is_fractional()) return true;
  return a.kind == b.kind;
}

class Checker {
 public:
  Checker(const Profile& profile, Reader& reader) : p_(profile), r_(reader) {}

  void run() {
    for (const auto& table : p_.tables) check_table(table);
    check_cycles();
    for (const auto& query : p_.queries) check_query(query);
    check_fragments(p_, r_);
  }

 private:
  const Profile& p_;
  Reader& r_;

  int64_t max_rows(const Table& table) const {
    int64_t most = 0;
    for (const auto& scale : p_.scales) most = std::max(most, p_.rows(table, scale));
    return most;
  }
  int64_t min_rows(const Table& table) const {
    int64_t least = std::numeric_limits<int64_t>::max();
    for (const auto& scale : p_.scales) least = std::min(least, p_.rows(table, scale));
    return least;
  }

  void check_table(const Table& table) {
    for (const auto& name : table.primary_key)
      if (!table.find_column(name))
        r_.error(table.pos,
                 fmt::format("primary key of '{}' names unknown column '{}'", table.name, name));
    if (table.primary_key.size() > 1) {
      bool provable = false;
      for (const auto& name : table.primary_key)
        if (auto c = table.find_column(name)) provable = provable || c->unique;
      if (!provable)
        r_.error(
            table.pos,
            fmt::format("composite primary key of '{}' cannot be guaranteed unique", table.name),
            "mark one of its columns unique: true (e.g. a sequence)");
    }
    for (const auto& column : table.columns) check_column(table, column);
  }

  void check_column(const Table& table, const Column& c) {
    const Distribution& d = c.dist;
    const std::string what = fmt::format("{}.{}", table.name, c.name);
    const SourcePos at = d.pos.line ? d.pos : c.pos;
    const int64_t rows = max_rows(table);
    const bool unique = c.unique || (c.primary_key && table.primary_key.size() == 1);
    auto need = [&](bool ok, const char* kinds) {
      if (!ok)
        r_.error(at,
                 fmt::format("distribution '{}' cannot fill {} of type {}", to_string(d.kind), what,
                             c.type.sql()),
                 fmt::format("'{}' makes {}", to_string(d.kind), kinds));
      return ok;
    };
    if (d.min && d.max && *d.min > *d.max)
      r_.error(at, fmt::format("{}: min is greater than max", what));

    if (c.ref) {
      if (d.kind != DistKind::kUniform && d.kind != DistKind::kZipf &&
          d.kind != DistKind::kHotset && d.kind != DistKind::kEmpirical)
        r_.error(at,
                 fmt::format("foreign key {} picks its parent with '{}'", what, to_string(d.kind)),
                 "a foreign key picks parents with uniform, zipf, hotset or empirical");
      check_foreign_key(table, c);
    }
    switch (d.kind) {
      case DistKind::kSequence:
        if (need(c.type.is_integer(), "integers")) {
          double last = static_cast<double>(d.start) +
                        static_cast<double>(d.step) * static_cast<double>(rows - 1);
          if (last > static_cast<double>(c.type.integer_max()) ||
              last < -static_cast<double>(c.type.integer_max()))
            r_.error(at,
                     fmt::format("sequence of {} reaches {:.0f}, past what {} holds", what, last,
                                 c.type.sql()),
                     "use a wider type such as bigint");
          if (d.step == 0 && unique) r_.error(at, fmt::format("sequence of {} has step 0", what));
        }
        break;
      case DistKind::kUniform:
        if (c.ref) break;
        need(c.type.is_integer() || c.type.is_fractional() || c.type.is_temporal(),
             "numbers, dates and timestamps; use weighted or bernoulli for others");
        if (c.type.is_integer() && d.min && d.max && unique &&
            *d.max - *d.min + 1 < static_cast<double>(rows))
          domain_error(at, what, *d.max - *d.min + 1, rows);
        else if (unique && !c.type.is_integer())
          r_.error(at, fmt::format("uniform {} cannot be unique", c.type.sql()),
                   "unique values come from sequence, integer uniform, pattern, words or uuid");
        check_range(at, what, c, d.min, d.max);
        break;
      case DistKind::kNormal:
        need(c.type.is_integer() || c.type.is_fractional(), "numbers");
        check_range(at, what, c, d.min, d.max);
        break;
      case DistKind::kLognormal:
        need(c.type.is_integer() || c.type.is_fractional(), "numbers");
        check_range(at, what, c, d.min, d.max);
        break;
      case DistKind::kZipf:
      case DistKind::kHotset:
        check_skew(c, at, what);
        break;
      case DistKind::kWeighted:
        if (unique && static_cast<double>(d.values.size()) < static_cast<double>(rows))
          domain_error(at, what, static_cast<double>(d.values.size()), rows);
        if (c.type.max_chars() > 0)
          for (const auto& v : d.values)
            if (static_cast<int>(v.size()) > c.type.max_chars())
              r_.error(at, fmt::format("value '{}' is longer than {} allows", v, c.type.sql()));
        break;
      case DistKind::kBernoulli:
        need(c.type.kind == PgType::kBoolean, "booleans");
        if (unique) domain_error(at, what, 2, rows);
        break;
      case DistKind::kTimeline:
        need(c.type.is_temporal() || c.type.is_integer(), "timestamps, dates or integers");
        break;
      case DistKind::kWords:
        need(c.type.is_textual(), "text");
        if (unique && c.type.max_chars() > 0) {
          // Unique words end in " " + the row's base-36 code, after at least one
          // character of words: shorter columns would cut the code off.
          int needed = 2;
          for (int64_t code = std::max<int64_t>(rows - 1, 1); code > 0; code /= 36) ++needed;
          if (c.type.length < needed)
            r_.error(at,
                     fmt::format("unique words of {} need {} characters for {} rows, more than {} "
                                 "allows",
                                 what, needed, rows, c.type.sql()),
                     "widen the column, or use a pattern for short unique codes");
        }
        break;
      case DistKind::kPattern:
        need(c.type.is_textual(), "text");
        if (unique && pattern_domain(d.pattern) < static_cast<double>(rows))
          domain_error(at, what, pattern_domain(d.pattern), rows);
        break;
      case DistKind::kUuid:
        need(c.type.kind == PgType::kUuid || c.type.is_textual(), "uuids");
        break;
      case DistKind::kCopy:
        check_copy(table, c, at, what);
        break;
      case DistKind::kEmpirical:
        if (d.values.empty() && d.histogram.empty() && !(d.min && d.max))
          r_.error(at, fmt::format("empirical {} needs values, a histogram or min and max", what));
        break;
    }
    if (unique && (d.kind == DistKind::kNormal || d.kind == DistKind::kLognormal ||
                   d.kind == DistKind::kZipf || d.kind == DistKind::kHotset ||
                   d.kind == DistKind::kTimeline || d.kind == DistKind::kEmpirical))
      r_.error(at, fmt::format("{} is unique but '{}' repeats values", what, to_string(d.kind)),
               "unique values come from sequence, integer uniform, pattern, words or uuid");
  }

  void domain_error(SourcePos at, const std::string& what, double domain, int64_t rows) {
    r_.error(at,
             fmt::format("{} is unique but its domain has {:.0f} values for {} rows", what, domain,
                         rows),
             "widen the domain or drop unique");
  }

  void check_range(SourcePos at, const std::string& what, const Column& c, std::optional<double> lo,
                   std::optional<double> hi) {
    double limit = 0;
    if (c.type.is_integer()) limit = static_cast<double>(c.type.integer_max());
    if (c.type.kind == PgType::kNumeric && c.type.precision > 0)
      limit = std::pow(10.0, c.type.precision - c.type.scale);
    if (limit == 0) return;
    for (auto v : {lo, hi})
      if (v && std::fabs(*v) >= limit)
        r_.error(at, fmt::format("{}: bound {} does not fit {}", what, *v, c.type.sql()),
                 "widen the type or narrow the bounds");
  }

  void check_skew(const Column& c, SourcePos at, const std::string& what) {
    const Distribution& d = c.dist;
    int64_t domain = d.n;
    if (c.ref) {
      if (const Table* parent = p_.find_table(c.ref->table)) {
        int64_t parent_rows = min_rows(*parent);
        domain = domain > 0 ? std::min(domain, parent_rows) : parent_rows;
      }
    } else {
      if (!c.type.is_integer() && !c.type.is_textual())
        r_.error(at, fmt::format("zipf ranks cannot fill {} of type {}", what, c.type.sql()));
      else if (c.type.is_integer() && static_cast<double>(d.start) + static_cast<double>(d.n) >
                                          static_cast<double>(c.type.integer_max()))
        r_.error(at, fmt::format("zipf ranks of {} pass what {} holds", what, c.type.sql()));
    }
    if (d.kind == DistKind::kHotset) {
      if (d.hot >= 1 && domain > 0 && d.hot >= domain && d.share < 1)
        r_.error(at,
                 fmt::format("{} has {} hot items but only {} to choose from", what, d.hot, domain),
                 "lower hot, or raise n / the parent's rows");
    }
  }

  void check_foreign_key(const Table& table, const Column& c) {
    const Table* parent = p_.find_table(c.ref->table);
    if (!parent) {
      std::vector<std::string_view> names;
      for (const auto& t : p_.tables) names.push_back(t.name);
      auto best = closest_match(c.ref->table, names);
      r_.error(c.ref->pos,
               fmt::format("{}.{} references missing table '{}'", table.name, c.name, c.ref->table),
               best.empty() ? "" : fmt::format("did you mean '{}'?", best));
      return;
    }
    const Column* target = parent->find_column(c.ref->column);
    if (!target) {
      std::vector<std::string_view> names;
      for (const auto& col : parent->columns) names.push_back(col.name);
      auto best = closest_match(c.ref->column, names);
      r_.error(c.ref->pos,
               fmt::format("{}.{} references missing column '{}.{}'", table.name, c.name,
                           parent->name, c.ref->column),
               best.empty() ? "" : fmt::format("did you mean '{}'?", best));
      return;
    }
    bool target_unique = target->unique || (target->primary_key && parent->primary_key.size() == 1);
    if (!target_unique)
      r_.error(c.ref->pos,
               fmt::format("{}.{} references {}.{}, which is not unique", table.name, c.name,
                           parent->name, target->name),
               "a foreign key must reference a primary key or unique column");
    if (!types_compatible(c.type, target->type))
      r_.error(c.ref->pos,
               fmt::format("{}.{} ({}) references {}.{} of another type ({})", table.name, c.name,
                           c.type.sql(), parent->name, target->name, target->type.sql()));
    if (target->nullable)
      r_.error(c.ref->pos, fmt::format("{}.{} references {}.{}, which can be NULL", table.name,
                                       c.name, parent->name, target->name));
  }

  void check_copy(const Table& table, const Column& c, SourcePos at, const std::string& what) {
    const Column* fk = table.find_column(c.dist.copy_from_fk);
    if (!fk || !fk->ref) {
      r_.error(at, fmt::format("{} copies through '{}', which is not a foreign key of {}", what,
                               c.dist.copy_from_fk, table.name));
      return;
    }
    const Table* parent = p_.find_table(fk->ref->table);
    if (!parent) return;  // reported for the foreign key
    const Column* source = parent->find_column(c.dist.copy_parent_column);
    if (!source) {
      r_.error(at, fmt::format("{} copies missing column '{}.{}'", what, parent->name,
                               c.dist.copy_parent_column));
      return;
    }
    if (source->dist.kind == DistKind::kCopy)
      r_.error(
          at,
          fmt::format("{} copies {}.{}, which is itself a copy", what, parent->name, source->name),
          "copy from the original column instead");
    if (!types_compatible(c.type, source->type) &&
        !(c.type.is_fractional() && source->type.is_integer()))
      r_.error(at, fmt::format("{} ({}) copies {}.{} of another type ({})", what, c.type.sql(),
                               parent->name, source->name, source->type.sql()));
    if (source->nullable && !c.nullable)
      r_.error(at,
               fmt::format("{} copies {}.{}, which can be NULL, but {} cannot be", what,
                           parent->name, source->name, what),
               "add nullable: true");
  }

  void check_cycles() {
    // Depth-first search over non-nullable foreign keys; report each cycle once.
    const size_t n = p_.tables.size();
    std::vector<int> state(n, 0);  // 0 new, 1 on stack, 2 done
    std::vector<size_t> stack;
    std::function<void(size_t)> visit = [&](size_t i) {
      state[i] = 1;
      stack.push_back(i);
      for (const auto& column : p_.tables[i].columns) {
        if (!column.ref || column.nullable) continue;
        for (size_t j = 0; j < n; ++j) {
          if (p_.tables[j].name != column.ref->table) continue;
          if (state[j] == 1) {
            std::string path;
            auto from = std::find(stack.begin(), stack.end(), j);
            for (auto it = from; it != stack.end(); ++it) path += p_.tables[*it].name + " -> ";
            path += p_.tables[j].name;
            r_.error(column.ref->pos,
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

  void check_query(const Query& query) {
    for (const auto& param : query.params) {
      if (param.table.empty()) continue;
      const Table* table = p_.find_table(param.table);
      if (!table || !table->find_column(param.column))
        r_.error(param.pos, fmt::format("query '{}' draws from unknown column '{}.{}'", query.name,
                                        param.table, param.column));
      for (const auto& pick : param.picks) {
        const bool random = pick.rfind("random:", 0) == 0;
        if (!random && pick.rfind("rank:", 0) != 0) continue;
        int k = 0;
        auto text = std::string_view(pick).substr(random ? 7 : 5);
        auto [end, ec] = std::from_chars(text.data(), text.data() + text.size(), k);
        if (ec != std::errc() || end != text.data() + text.size() || k < 1 || (random && k > 100))
          r_.error(param.pos, fmt::format("pick '{}' needs {}", pick,
                                          random ? "1 <= k <= 100 (random:k)" : "k >= 1 (rank:k)"));
      }
    }
  }
};

}  // namespace

// The number of distinct strings a pattern can produce, saturating at 2^62.
double pattern_domain(std::string_view pattern) {
  double domain = 1;
  for (size_t i = 0; i < pattern.size(); ++i) {
    if (pattern[i] == '\\')
      ++i;
    else if (pattern[i] == '#')
      domain *= 10;
    else if (pattern[i] == '?')
      domain *= 26;
    else if (pattern[i] == '*')
      domain *= 36;
    if (domain > 4.6e18) return 4.6e18;
  }
  return domain;
}

size_t pattern_length(std::string_view pattern) {
  size_t length = 0;
  for (size_t i = 0; i < pattern.size(); ++i) {
    if (pattern[i] == '\\') ++i;
    // Count characters, not bytes: varchar(n) limits characters.
    if (i < pattern.size() && (static_cast<unsigned char>(pattern[i]) & 0xC0) != 0x80) ++length;
  }
  return length;
}

bool literal_fits(const ColumnType& type, std::string_view literal, std::string& why) {
  if (type.is_integer()) {
    int64_t value = 0;
    auto [end, ec] = std::from_chars(literal.data(), literal.data() + literal.size(), value);
    if (ec != std::errc() || end != literal.data() + literal.size()) {
      why = "not a whole number";
      return false;
    }
    if (value > type.integer_max() || value < -type.integer_max() - 1) {
      why = "out of range";
      return false;
    }
    return true;
  }
  if (type.is_fractional()) {
    double value = 0;
    auto [end, ec] = std::from_chars(literal.data(), literal.data() + literal.size(), value);
    if (ec != std::errc() || end != literal.data() + literal.size() || !std::isfinite(value)) {
      why = "not a number";
      return false;
    }
    return true;
  }
  switch (type.kind) {
    case PgType::kBoolean:
      if (literal == "true" || literal == "false" || literal == "t" || literal == "f") return true;
      why = "write true or false";
      return false;
    case PgType::kDate:
      if (parse_pg_date(literal)) return true;
      why = "write YYYY-MM-DD";
      return false;
    case PgType::kTimestamp:
    case PgType::kTimestamptz:
      if (parse_pg_timestamp(literal)) return true;
      why = "write YYYY-MM-DD HH:MM:SS";
      return false;
    case PgType::kUuid:
      if (literal.size() == 36) return true;
      why = "write a UUID";
      return false;
    default:
      if (type.max_chars() > 0 && literal.size() > static_cast<size_t>(type.max_chars())) {
        why = "too long";
        return false;
      }
      return true;
  }
}

void check_profile(const Profile& profile, Reader& reader) {
  Checker(profile, reader).run();
}

}  // namespace pgshape::profile

namespace pgshape {

std::vector<Diagnostic> validate_profile(const Profile& profile) {
  profile::Reader reader(profile.file);
  profile::check_profile(profile, reader);
  return reader.diagnostics();
}

}  // namespace pgshape
