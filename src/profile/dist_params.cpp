// A column's distribution parameters: read against the distribution that takes
// them, its values and bounds checked against the column's type, and bounds
// moved onto the grid the type rounds to.
#include <algorithm>
#include <cmath>
#include <cstdlib>

#include "pgshape/util.hpp"
#include "profile/parser_impl.hpp"

namespace pgshape::profile {

std::optional<double> ProfileParser::bound(const YAML::Node& node, const Column& column,
                                           std::string_view what) {
  if (column.type.is_temporal()) {
    auto text = r_.string(node, what);
    if (!text) return std::nullopt;
    if (column.type.kind == PgType::kDate) {
      if (auto days = parse_pg_date(*text)) return static_cast<double>(*days);
    } else if (auto micros = parse_pg_timestamp(*text)) {
      return static_cast<double>(*micros);
    }
    r_.error("profile.bad-literal", node,
             fmt::format("{} '{}' is not a {}", what, *text, column.type.sql()),
             column.type.kind == PgType::kDate ? "write YYYY-MM-DD"
                                               : "write YYYY-MM-DD or YYYY-MM-DD HH:MM:SS+00");
    return std::nullopt;
  }
  auto value = r_.number(node, what);
  // The bound as written may lie between two doubles (88320772010987500 does;
  // 1e305 does): the one kept is the nearest double on the inside, so what is
  // drawn up to it stays within what was written, even stored digit for digit.
  if (value && node.IsScalar()) {
    const long double written = std::strtold(node.Scalar().c_str(), nullptr);
    const bool upper = what == "max";
    if (std::isfinite(written) && (upper ? *value > written : *value < written))
      value = std::nextafter(*value, upper ? -HUGE_VAL : HUGE_VAL);
  }
  return value;
}

void ProfileParser::parse_dist_params(const YAML::Node& node, Column& column,
                                      const DistSpec& spec) {
  Distribution& d = column.dist;
  const auto column_keys = section_keys("column");
  const auto dist_keys = section_keys("dist");
  auto contains = [](const std::vector<std::string_view>& list, std::string_view key) {
    return std::find(list.begin(), list.end(), key) != list.end();
  };
  for (auto it = node.begin(); it != node.end(); ++it) {
    const std::string key = it->first.Scalar();
    if (!contains(column_keys, key) && !contains(spec.params, key) && contains(dist_keys, key))
      r_.error("profile.bad-distribution", it->first,
               fmt::format("'{}' does not apply to distribution '{}'", key, spec.name),
               spec.params.empty()
                   ? fmt::format("'{}' takes no parameters", spec.name)
                   : fmt::format("'{}' takes: {}", spec.name, fmt::join(spec.params, ", ")));
  }
  // A distribution chosen by default (booleans get bernoulli) takes its defaults.
  for (auto required : node["dist"] ? spec.required : std::vector<std::string_view>{})
    if (!node[std::string(required)])
      r_.error("profile.missing-key", node["dist"] ? node["dist"] : node,
               fmt::format("distribution '{}' needs '{}'", spec.name, required));

  auto num = [&](const char* key, double& out) {
    if (auto n = node[key]) out = r_.number(n, key).value_or(out);
  };
  auto integer = [&](const char* key, auto& out) {
    if (auto n = node[key])
      out = static_cast<std::decay_t<decltype(out)>>(r_.integer(n, key).value_or(out));
  };
  integer("start", d.start);
  integer("step", d.step);
  if (auto n = node["min"]) d.min = bound(n, column, "min");
  if (auto n = node["max"]) d.max = bound(n, column, "max");
  num("mean", d.mean);
  num("stddev", d.stddev);
  num("mu", d.mu);
  num("sigma", d.sigma);
  num("s", d.s);
  integer("n", d.n);
  integer("hot", d.hot);
  num("share", d.share);
  num("p", d.p);
  num("jitter", d.jitter);
  integer("min_words", d.min_words);
  integer("max_words", d.max_words);
  num("n_distinct", d.n_distinct);
  num("correlation", d.correlation);
  num("avg_width", d.avg_width);
  if (auto n = node["pattern"]) d.pattern = r_.string(n, "pattern").value_or("");
  if (auto n = node["words"]) {
    d.words = string_list(n, "words");
    if (d.words.empty() && (n.IsSequence() || n.IsNull()))
      r_.error("profile.bad-value", n, "words is empty",
               "list at least one word, or leave words out for the built-in lorem list");
  }
  if (auto n = node["wordlist"]) {
    // Built-in vocabularies are resolved by the generator; only the name is checked here.
    static const std::vector<std::string_view> kLists = {"product",   "lorem", "first_name",
                                                         "last_name", "city",  "company"};
    auto name = r_.string(n, "wordlist").value_or("");
    if (std::find(kLists.begin(), kLists.end(), name) == kLists.end()) {
      auto best = closest_match(name, kLists);
      r_.error("profile.unknown-wordlist", n, fmt::format("unknown wordlist '{}'", name),
               best.empty() ? fmt::format("wordlists: {}", fmt::join(kLists, ", "))
                            : fmt::format("did you mean '{}'?", best));
    }
    d.words = {"@" + name};
  }
  if (auto n = node["histogram"]) {
    d.histogram = string_list(n, "histogram");
    if (n.IsSequence() && n.size() == d.histogram.size())
      // Text bounds only steer synthesised values, which are cut to fit.
      for (size_t i = 0; i < d.histogram.size() && !column.type.is_textual(); ++i)
        check_literal(n[i], column, d.histogram[i]);
  }
  if (auto n = node["from"]) {
    auto text = r_.string(n, "from").value_or("");
    if (!split_qualified(text, nullptr))
      r_.error("profile.bad-value", n,
               fmt::format("from '{}' must be fk_column.parent_column", text),
               "write e.g. from: product_id.price");
    else
      d.copy_from_fk = text;  // split once every table is known (resolve_refs)
  }
  if (auto n = node["values"]) parse_values(n, column);
  if (d.kind == DistKind::kArray) parse_array_params(node, column);
  if (d.kind == DistKind::kDocument) parse_document_params(node, column);
  if (d.kind == DistKind::kRange) parse_range_params(node, column);
  if (auto n = node["of"]) d.of = r_.string(n, "of").value_or("");
}

void ProfileParser::check_literal(const YAML::Node& node, const Column& column,
                                  const std::string& text) {
  // With the types from a DDL file, values are checked when the DDL has run.
  if (type_from_ddl_) return;
  std::string why;
  if (!literal_fits(column.type, text, why))
    r_.error("profile.bad-literal", node,
             fmt::format("value '{}' is not a valid {}: {}", text, column.type.sql(), why));
}

void ProfileParser::parse_values(const YAML::Node& n, Column& column) {
  Distribution& d = column.dist;
  if (!r_.check_map(n, "values", {})) return;
  for (auto it = n.begin(); it != n.end(); ++it) {
    d.values.push_back(it->first.Scalar());
    auto weight = r_.number(it->second, fmt::format("the weight of '{}'", it->first.Scalar()));
    if (weight && *weight <= 0)
      r_.error("profile.out-of-range", it->second,
               fmt::format("the weight of '{}' must be > 0, not {}", it->first.Scalar(), *weight),
               "drop values that never occur");
    d.weights.push_back(weight.value_or(1));
    check_literal(it->first, column, it->first.Scalar());
  }
  if (d.values.empty())
    r_.error("profile.bad-value", n, "values is empty", "give at least one value: weight");
}

void ProfileParser::check_dist_ranges(const YAML::Node& node, const Column& column,
                                      const std::string& what) {
  // Parameters a single key can get wrong, reported where the key is written
  // (or at dist: when the default is what is wrong).
  const Distribution& d = column.dist;
  auto at = [&](const char* key) -> SourcePos {
    if (auto n = node[key]) return Reader::pos(n);
    return d.pos;
  };
  switch (d.kind) {
    case DistKind::kZipf:
    case DistKind::kHotset:
      if (d.s <= 0)
        r_.error("profile.out-of-range", at("s"),
                 fmt::format("zipf exponent s of {} must be > 0, not {}", what, d.s),
                 "s = 1 is classic Zipf; 0.5 is mild, 2 is extreme");
      if (!column.ref && d.n <= 0)
        r_.error("profile.out-of-range", at("n"),
                 fmt::format("{} needs the domain size n >= 1 (got {})", what, d.n),
                 "n is how many distinct ranks there are, e.g. n: 1000");
      if (column.ref && node["n"] && d.n <= 0)
        r_.error("profile.out-of-range", at("n"),
                 fmt::format("n of {} must be >= 1 (got {})", what, d.n),
                 "leave n out to use every parent row");
      if (d.kind == DistKind::kHotset) {
        if (d.share <= 0 || d.share > 1)
          r_.error("profile.out-of-range", at("share"),
                   fmt::format("hot share of {} must be in (0, 1], not {}", what, d.share),
                   "share is the fraction of rows that pick a hot item, e.g. 0.6");
        if (d.hot < 1)
          r_.error("profile.out-of-range", at("hot"),
                   fmt::format("hot of {} must be at least 1", what));
      }
      break;
    case DistKind::kNormal:
      if (d.stddev <= 0)
        r_.error("profile.out-of-range", at("stddev"),
                 fmt::format("stddev of {} must be > 0, not {}", what, d.stddev));
      break;
    case DistKind::kLognormal:
      if (d.sigma <= 0)
        r_.error("profile.out-of-range", at("sigma"),
                 fmt::format("sigma of {} must be > 0, not {}", what, d.sigma));
      break;
    case DistKind::kBernoulli:
      if (d.p < 0 || d.p > 1)
        r_.error("profile.out-of-range", at("p"),
                 fmt::format("p of {} must be between 0 and 1, not {}", what, d.p));
      break;
    case DistKind::kTimeline:
      if (d.jitter < 0 || d.jitter > 1)
        r_.error(
            "profile.out-of-range", at("jitter"),
            fmt::format("jitter of {} must be between 0 and 1 (a fraction of the range)", what));
      break;
    case DistKind::kWords:
      if (d.min_words < 0 || d.max_words < d.min_words || d.max_words > 1000)
        r_.error("profile.out-of-range", node["min_words"] ? at("min_words") : at("max_words"),
                 fmt::format("{}: need 0 <= min_words <= max_words <= 1000 (got {} and {})", what,
                             d.min_words, d.max_words));
      break;
    case DistKind::kPattern:
      if (d.pattern.empty()) {
        r_.error("profile.bad-value", at("pattern"), fmt::format("pattern of {} is empty", what),
                 "# is a digit, ? a letter, * a letter or digit");
      } else if (column.type.max_chars() > 0 &&
                 pattern_length(d.pattern) > static_cast<size_t>(column.type.max_chars())) {
        r_.error("profile.exceeds-type", at("pattern"),
                 fmt::format("pattern of {} makes {} characters, more than {} allows", what,
                             pattern_length(d.pattern), column.type.sql()),
                 "shorten the pattern or widen the column");
      }
      if (node["n_distinct"] && (d.n_distinct < -1 || (d.n_distinct > 0 && d.n_distinct < 1) ||
                                 (d.n_distinct > 1 && d.n_distinct != std::floor(d.n_distinct))))
        r_.error("profile.out-of-range", at("n_distinct"),
                 fmt::format("n_distinct of {} is {}: a count of values, or -1 to 0 for a "
                             "fraction of the rows",
                             what, d.n_distinct));
      break;
    default:
      break;
  }
}

// Integer columns hold whole numbers and numeric(p,s) columns s decimals: a value
// drawn inside [min, max] would be rounded to the column's grid, possibly past a
// bound written between two grid points (min 0.5 gives 1 - or 0). Bounds are
// moved inward onto the grid, so what is drawn inside them stays inside after
// rounding; no grid point inside is refused.
void ProfileParser::round_bounds_inward(const YAML::Node& node, Column& column,
                                        const std::string& what) {
  Distribution& d = column.dist;
  if (!d.min && !d.max) return;
  int decimals = -1;
  if (column.type.is_integer()) decimals = 0;
  if (column.type.kind == PgType::kNumeric && column.type.precision > 0)
    decimals = column.type.scale;
  if (decimals < 0) return;
  const double unit = std::pow(10.0, decimals);
  // x * 10^s within rounding noise of a whole number counts as that number
  // (0.3 * 100 is 30.000000000000004).
  auto grid = [&](double v, bool up) {
    const double x = v * unit;
    const double near = std::round(x);
    if (std::fabs(x - near) <= 1e-9 * std::max(1.0, std::fabs(x))) return near / unit;
    return (up ? std::ceil(x) : std::floor(x)) / unit;
  };
  const std::optional<double> lo = d.min ? std::optional(grid(*d.min, true)) : std::nullopt;
  const std::optional<double> hi = d.max ? std::optional(grid(*d.max, false)) : std::nullopt;
  if (lo && hi && *d.min <= *d.max && *lo > *hi) {
    const YAML::Node at = node["min"] ? node["min"] : node;
    r_.error("profile.out-of-range", at,
             fmt::format("min {} and max {} of {} hold no value of {}", *d.min, *d.max, what,
                         column.type.sql()),
             decimals == 0 ? "an integer column needs a whole number between min and max"
                           : fmt::format("{} keeps {} decimals: widen the bounds",
                                         column.type.sql(), decimals));
    return;
  }
  d.min = lo;
  d.max = hi;
}

}  // namespace pgshape::profile
