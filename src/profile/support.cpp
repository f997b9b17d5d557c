// Whole-profile checks, part two: values. Every distribution's reach — the
// values it can produce at the largest scale point — against its column's type:
// integer ranges, numeric(p,s) precision, real and double finiteness, date and
// timestamp ranges, varchar(n) / character(n) lengths. A value outside would be
// refused by the server mid-load (text COPY) or, worse, wrapped (binary COPY);
// here it is refused before anything runs, naming the type's range.
#include <fmt/format.h>
#include <algorithm>
#include <cfloat>
#include <charconv>
#include <cmath>

#include "pgshape/fanout.hpp"
#include "pgshape/util.hpp"
#include "profile/checker.hpp"

namespace pgshape::profile {
namespace {

// Normal and log-normal draws are unbounded; pgshape counts on them staying
// within 12 standard deviations: beyond happens with probability 3.6e-33 per
// value, under 1e-20 for 2^40 rows. Past that the encoders refuse the value.
constexpr long double kTailSigmas = 12;

// PostgreSQL's ranges in pgshape's units (days, microseconds since 2000-01-01):
// 4714-11-24 BC to 5874897-12-31 for dates, to 294276-12-31 for timestamps.
constexpr long double kMinDay = -2451545, kMaxDay = 2145031948;
constexpr long double kMinMicros = -211813488000000000.0L, kMaxMicros = 9223371331199999999.0L;

constexpr int64_t kDefaultDayMin = days_from_civil(2020, 1, 1) - kPgEpochDays;
constexpr int64_t kDefaultDayMax = days_from_civil(2025, 1, 1) - kPgEpochDays;

// What a distribution can produce: a numeric interval (in the column's units,
// before the column rounds), or text of at most `chars` characters.
struct Reach {
  bool numeric = false;
  long double lo = 0, hi = 0;
  std::string how;  // how `hi` (or `lo`) comes about, for messages
  bool text = false;
  bool bounded = false;  // text: `chars` is a bound
  size_t chars = 0;
};

std::string type_range(const ColumnType& type) {
  if (type.is_integer()) return fmt::format("{} to {}", type.integer_min(), type.integer_max());
  if (type.kind == PgType::kNumeric && type.precision > 0) {
    const std::string nines(static_cast<size_t>(type.precision - type.scale), '9');
    return type.scale > 0 ? fmt::format("up to {}{}.{}", nines.empty() ? "0" : "", nines,
                                        std::string(static_cast<size_t>(type.scale), '9'))
                          : fmt::format("up to {}", nines);
  }
  if (type.kind == PgType::kReal) return "finite values up to 3.4e38";
  if (type.kind == PgType::kDate) return "4713 BC to 5874897 AD";
  if (type.is_temporal()) return "4713 BC to 294276 AD";
  return "finite values up to 1.8e308";
}

// The default bounds of uniform and timeline, as the generator has them.
std::pair<long double, long double> default_bounds(const ColumnType& type) {
  if (type.is_integer()) return {1, 1000};
  if (type.kind == PgType::kDate) return {kDefaultDayMin, kDefaultDayMax};
  if (type.is_temporal())
    return {static_cast<long double>(kDefaultDayMin) * kMicrosPerDay,
            static_cast<long double>(kDefaultDayMax) * kMicrosPerDay};
  return {0, 1000};
}

Reach numbers(long double lo, long double hi, std::string how) {
  if (lo > hi) std::swap(lo, hi);
  return Reach{.numeric = true, .lo = lo, .hi = hi, .how = std::move(how)};
}

Reach text_of(size_t chars) {
  return Reach{.text = true, .bounded = true, .chars = chars};
}

size_t decimal_chars(long double v) {
  return fmt::format("{:.0f}", v).size();
}

class ValueChecker {
 public:
  explicit ValueChecker(const CheckContext& ctx) : c_(ctx), r_(ctx.r) {}

  void run() {
    for (const auto& table : c_.p.tables) {
      if (c_.r.poisoned(table.name)) continue;
      for (const auto& column : table.columns) {
        // A generated column's values are the server's: no distribution to check.
        if (c_.skip(table, column) || !column.generated.empty()) continue;
        check_column(table, column);
        // Each case of a dependent column is a distribution of the same column:
        // what it can reach must fit the type as much as the column's own.
        if (column.given)
          for (const auto& given_case : column.given->cases) {
            Column as_case = column;
            as_case.given.reset();
            as_case.dist = given_case.dist;
            check_column(table, as_case);
          }
        for (const Column& part : range_part_columns(column)) check_column(table, part);
      }
    }
  }

 private:
  const CheckContext& c_;
  Reader& r_;

  void error(ErrorId code, const Column& c, std::string message, std::string hint = {}) {
    r_.error(code, CheckContext::at(c), std::move(message), std::move(hint));
  }

  void check_column(const Table& table, const Column& column) {
    if (!fills_type(table, column)) return;
    check_parameters(table, column);
    if (!bounds_fit(table, column)) return;
    if (auto reach = reach_of(table, column, 0)) check_fit(table, column, *reach);
  }

  // Can this distribution make values of this type at all?
  bool fills_type(const Table& table, const Column& c) {
    const ColumnType& t = c.type;
    const DistKind kind = c.dist.kind;
    if (c.ref || kind == DistKind::kCopy || kind == DistKind::kWeighted ||
        kind == DistKind::kEmpirical || kind == DistKind::kArray || kind == DistKind::kDocument ||
        kind == DistKind::kRange)
      return true;
    const char* makes = nullptr;
    bool ok = true;
    switch (kind) {
      case DistKind::kSequence:
        ok = t.is_integer(), makes = "integers";
        break;
      case DistKind::kUniform:
        ok = t.is_integer() || t.is_fractional() || t.is_temporal();
        makes = "numbers, dates and timestamps; use weighted or bernoulli for others";
        break;
      case DistKind::kNormal:
      case DistKind::kLognormal:
        ok = t.is_integer() || t.is_fractional(), makes = "numbers";
        break;
      case DistKind::kZipf:
      case DistKind::kHotset:
        ok = t.is_integer() || t.is_textual(), makes = "ranks: integers (or their text)";
        break;
      case DistKind::kBernoulli:
        ok = t.kind == PgType::kBoolean, makes = "booleans";
        break;
      case DistKind::kTimeline:
        ok = t.is_temporal() || t.is_integer(), makes = "timestamps, dates or integers";
        break;
      case DistKind::kWords:
      case DistKind::kPattern:
        ok = t.is_textual(), makes = "text";
        break;
      case DistKind::kUuid:
        ok = t.kind == PgType::kUuid || t.is_textual(), makes = "uuids";
        break;
      default:
        break;
    }
    if (!ok)
      error("profile.bad-distribution", c,
            fmt::format("distribution '{}' cannot fill {} of type {}", to_string(kind),
                        CheckContext::name(table, c), t.sql()),
            fmt::format("'{}' makes {}", to_string(kind), makes));
    return ok;
  }

  void check_parameters(const Table& table, const Column& c) {
    const Distribution& d = c.dist;
    const std::string what = CheckContext::name(table, c);
    if (d.min && d.max && *d.min > *d.max)
      error("profile.out-of-range", c, fmt::format("{}: min is greater than max", what));
    if (d.kind == DistKind::kEmpirical && d.values.empty() && d.histogram.empty() &&
        !(d.min && d.max))
      error("profile.missing-key", c,
            fmt::format("empirical {} needs values, a histogram or min and max", what));
    if (d.kind == DistKind::kHotset) {
      int64_t domain = d.n;
      if (c.ref)
        if (const Table* parent = c_.p.find_table(c.ref->table))
          domain = domain > 0 ? std::min(domain, c_.min_rows(*parent)) : c_.min_rows(*parent);
      if (d.hot >= 1 && domain > 0 && d.hot >= domain && d.share < 1)
        error("profile.out-of-range", c,
              fmt::format("{} has {} hot items but only {} to choose from", what, d.hot, domain),
              "lower hot, or raise n / the parent's rows");
    }
    if (d.kind == DistKind::kUniform && c.type.is_integer() && !c.ref) {
      const auto [lo, hi] = bounds(c);
      if (hi - lo + 1 > 9223372036854775807.0L)
        error("profile.out-of-range", c,
              fmt::format("uniform {} spans {:.0f} integers; pgshape draws from at most 2^63", what,
                          static_cast<double>(hi - lo + 1)),
              "narrow min and max");
    }
  }

  std::pair<long double, long double> bounds(const Column& c) const {
    const auto [lo, hi] = default_bounds(c.type);
    return {c.dist.min ? static_cast<long double>(*c.dist.min) : lo,
            c.dist.max ? static_cast<long double>(*c.dist.max) : hi};
  }

  // A draw clamped into the profile's min/max, as normal and lognormal clamp.
  Reach clamped(const Column& c, Reach reach) const {
    if (c.dist.min) reach.lo = std::max(reach.lo, static_cast<long double>(*c.dist.min));
    if (c.dist.max) reach.hi = std::min(reach.hi, static_cast<long double>(*c.dist.max));
    if (c.dist.min && reach.hi < *c.dist.min) reach.hi = *c.dist.min;
    if (c.dist.max && reach.lo > *c.dist.max) reach.lo = *c.dist.max;
    if (c.dist.max && reach.hi == *c.dist.max) reach.how = "max";
    return reach;
  }

  // What `c` can produce at the largest scale point; nullopt when that is not a
  // number or bounded text (booleans, uuids) or cannot be known (a missing parent).
  std::optional<Reach> reach_of(const Table& table, const Column& c, int depth) const {
    if (depth > 8) return std::nullopt;  // keys chained through many tables: give up
    const Distribution& d = c.dist;
    if (c.ref) {
      const Table* parent = c_.p.find_table(c.ref->table);
      const Column* target = parent ? parent->find_column(c.ref->column) : nullptr;
      if (!target || c_.skip(*parent, *target)) return std::nullopt;
      return source_reach(*parent, *target, depth);
    }
    switch (d.kind) {
      case DistKind::kSequence: {
        const __int128 last =
            static_cast<__int128>(d.start) +
            static_cast<__int128>(d.step) * static_cast<__int128>(c_.max_rows(table) - 1);
        return numbers(static_cast<long double>(d.start), static_cast<long double>(last),
                       "start + step * (rows - 1)");
      }
      case DistKind::kUniform:
      case DistKind::kTimeline: {
        const auto [lo, hi] = bounds(c);
        return numbers(lo, hi, c.dist.max ? "max" : "the default max");
      }
      case DistKind::kNormal:
        return clamped(c, numbers(static_cast<long double>(d.mean) - kTailSigmas * d.stddev,
                                  static_cast<long double>(d.mean) + kTailSigmas * d.stddev,
                                  "mean + 12 stddev"));
      case DistKind::kLognormal:
        return clamped(c, numbers(std::exp(static_cast<long double>(d.mu) - kTailSigmas * d.sigma),
                                  std::exp(static_cast<long double>(d.mu) + kTailSigmas * d.sigma),
                                  "exp(mu + 12 sigma)"));
      case DistKind::kZipf:
      case DistKind::kHotset: {
        const long double lo = static_cast<long double>(d.start);
        const long double hi = lo + static_cast<long double>(std::max<int64_t>(d.n, 1) - 1);
        if (c.type.is_textual()) return text_of(std::max(decimal_chars(lo), decimal_chars(hi)));
        return numbers(lo, hi, "start + n - 1");
      }
      case DistKind::kPattern:
        return text_of(pattern_length(d.pattern));
      case DistKind::kUuid:
        return c.type.is_textual() ? std::optional(text_of(36)) : std::nullopt;
      case DistKind::kWeighted:
      case DistKind::kEmpirical:
        return literal_reach(c);
      case DistKind::kCopy: {
        const Column* fk = table.find_column(d.copy_from_fk);
        const Table* parent = fk && fk->ref ? c_.p.find_table(fk->ref->table) : nullptr;
        const Column* source = parent ? parent->find_column(d.copy_parent_column) : nullptr;
        if (!source || c_.skip(*parent, *source)) return std::nullopt;
        return source_reach(*parent, *source, depth);
      }
      case DistKind::kChildNumber: {
        // A parent's children are numbered start.. start + its size - 1; a rest of
        // rows smaller than every size may grow one parent by less than a size.
        const Column* fk = table.find_column(d.of);
        if (!fk || fk->dist.kind != DistKind::kFanout) return std::nullopt;
        const auto most = static_cast<long double>(fanout_max_size(fk->dist));
        return numbers(static_cast<long double>(d.start),
                       static_cast<long double>(d.start) + 2 * most - 2,
                       "start + twice the largest fan-out size");
      }
      case DistKind::kFanout:  // a foreign key: handled above
      case DistKind::kWords:
      case DistKind::kBernoulli:
      case DistKind::kArray:
      case DistKind::kDocument:
      case DistKind::kRange:
        return std::nullopt;
    }
    return std::nullopt;
  }

  // What another column hands to a foreign key or a copy: its reach, with text
  // cut where its own type cuts it.
  std::optional<Reach> source_reach(const Table& table, const Column& source, int depth) const {
    if (source.type.is_textual()) {
      const DistKind kind = source.dist.kind;
      const bool cut = kind == DistKind::kWords || kind == DistKind::kEmpirical;
      if (cut || !reach_of(table, source, depth + 1))
        return source.type.max_chars() > 0 ? text_of(static_cast<size_t>(source.type.max_chars()))
                                           : Reach{.text = true};
    }
    auto reach = reach_of(table, source, depth + 1);
    if (reach && reach->numeric) reach->how = fmt::format("{}.{}", table.name, source.name);
    return reach;
  }

  // The values written in the profile (and, for empirical, between its bounds).
  std::optional<Reach> literal_reach(const Column& c) const {
    const Distribution& d = c.dist;
    if (c.type.is_textual()) {
      size_t chars = 0;
      for (const auto& v : d.values) chars = std::max(chars, char_count(v));
      return text_of(chars);
    }
    if (!(c.type.is_integer() || c.type.is_fractional() || c.type.is_temporal()))
      return std::nullopt;
    std::vector<long double> points;
    auto add = [&](const std::string& text) {
      if (c.type.kind == PgType::kDate) {
        if (auto days = parse_pg_date(text)) points.push_back(static_cast<long double>(*days));
      } else if (c.type.is_temporal()) {
        if (auto micros = parse_pg_timestamp(text))
          points.push_back(static_cast<long double>(*micros));
      } else {
        double v = 0;
        auto [end, ec] = std::from_chars(text.data(), text.data() + text.size(), v);
        if (ec == std::errc() && end == text.data() + text.size()) points.push_back(v);
      }
    };
    for (const auto& v : d.values) add(v);
    if (d.kind == DistKind::kEmpirical) {
      for (const auto& b : d.histogram) add(b);
      if (d.histogram.size() < 2 && d.min && d.max)
        points.push_back(*d.min), points.push_back(*d.max);
    }
    if (points.empty()) return std::nullopt;
    const auto [lo, hi] = std::minmax_element(points.begin(), points.end());
    return numbers(*lo, *hi, "the largest value written");
  }

  // Whether a number (in the column's units, before the column rounds) can be stored.
  static bool fits(const ColumnType& type, long double v) {
    if (type.is_integer())
      return v >= static_cast<long double>(type.integer_min()) &&
             v <= static_cast<long double>(type.integer_max());
    if (type.kind == PgType::kDate) return v >= kMinDay && v <= kMaxDay;
    if (type.is_temporal()) return v >= kMinMicros && v <= kMaxMicros;
    if (type.is_fractional()) return numeric_fits(type, v);
    return true;
  }

  static std::string number_text(long double v) {
    if (!std::isfinite(v)) return v > 0 ? "infinity" : "-infinity";
    if (std::fabs(v) < 1e21L && v == std::floor(v)) return fmt::format("{:.0f}", v);
    return fmt::format("{:.6g}", v);
  }

  // min and max themselves must be values of the type, whether or not draws reach them.
  bool bounds_fit(const Table& table, const Column& c) {
    bool ok = true;
    for (const auto& [bound, name] : {std::pair{c.dist.min, "min"}, std::pair{c.dist.max, "max"}}) {
      if (!bound || fits(c.type, *bound)) continue;
      error("profile.exceeds-type", c,
            fmt::format("{}: {} {} does not fit {} ({})", CheckContext::name(table, c), name,
                        number_text(*bound), c.type.sql(), type_range(c.type)),
            "narrow the bounds or widen the type");
      ok = false;
    }
    return ok;
  }

  void check_fit(const Table& table, const Column& c, const Reach& reach) {
    const std::string what = CheckContext::name(table, c);
    // The head of a multi-column key takes one column of the parent's key, not the key.
    const std::string referrer =
        table.composite_foreign_key(c.name)
            ? fmt::format("{}, the first column of {},", what, CheckContext::foreign_key(table, c))
            : "foreign key " + what;
    const std::string source =
        c.ref ? fmt::format("{} takes {}.{}'s values, which", referrer, c.ref->table, c.ref->column)
        : c.dist.kind == DistKind::kCopy ? fmt::format("copy {} takes values that", what)
                                         : fmt::format("{} {}", to_string(c.dist.kind), what);
    if (reach.text) {
      const int limit = c.type.max_chars();
      if (limit <= 0 || !c.type.is_textual()) return;
      // Words and empirical text are cut to fit; patterns are refused by the parser.
      const DistKind kind = c.dist.kind;
      if (!c.ref && (kind == DistKind::kWords || kind == DistKind::kEmpirical ||
                     kind == DistKind::kPattern || kind == DistKind::kWeighted))
        return;
      if (!reach.bounded)
        error("profile.exceeds-type", c,
              fmt::format("{} can be longer than {} allows", source, c.type.sql()),
              "give the column the source's type, or widen it");
      else if (reach.chars > static_cast<size_t>(limit))
        error("profile.exceeds-type", c,
              fmt::format("{} can be {} characters long, more than {} allows", source, reach.chars,
                          c.type.sql()),
              "widen the column");
      return;
    }
    if (!reach.numeric || (fits(c.type, reach.lo) && fits(c.type, reach.hi))) return;
    const bool high = !fits(c.type, reach.hi);
    error("profile.exceeds-type", c,
          fmt::format("{} can reach {} ({}), past what {} holds ({})", source,
                      number_text(high ? reach.hi : reach.lo),
                      high ? reach.how : std::string("its lowest value"), c.type.sql(),
                      type_range(c.type)),
          c.ref || c.dist.kind == DistKind::kCopy
              ? std::string("give the column the type of the column it takes values from")
          : c.dist.kind == DistKind::kNormal || c.dist.kind == DistKind::kLognormal
              ? "add min: and max: inside the type's range (draws beyond are clamped), or widen "
                "the type"
              : "narrow the parameters or widen the type");
  }
};

}  // namespace

void check_values(const CheckContext& ctx) {
  ValueChecker(ctx).run();
}

}  // namespace pgshape::profile
