// A range column in a stats-made profile (dist: range) from its range
// statistics (range_stats.cpp): the lower bounds' histogram becomes the lower
// bound's empirical distribution, the finite lengths' histogram the length's,
// the unbounded ends' shares come from where the infinite bounds sit in the
// bounds histogram (first among the lower bounds, last among the upper), and
// the empty share is PostgreSQL's own. Which lower goes with which length is
// not kept (pg_statistic has no joint statistic of the two).
#include <fmt/format.h>

#include <algorithm>
#include <cmath>

#include "pgshape/profile.hpp"
#include "stats/element_writer.hpp"

namespace pgshape::stats {
namespace {

struct RangeText {
  bool empty = false;
  char open = '[', close = ')';
  std::optional<std::string> lower, upper;  // nullopt: unbounded
};

// A range's text as range_out prints it: empty, or [lo,hi) with each bound
// bare or double-quoted (a quote or backslash inside escaped), an unbounded
// side blank.
std::optional<RangeText> parse_range_text(std::string_view s) {
  RangeText r;
  if (s == "empty") return r.empty = true, r;
  if (s.size() < 3 || (s.front() != '[' && s.front() != '(') ||
      (s.back() != ']' && s.back() != ')'))
    return std::nullopt;
  r.open = s.front(), r.close = s.back();
  s = s.substr(1, s.size() - 2);
  size_t i = 0;
  auto bound = [&](char end) -> std::optional<std::string> {
    std::string out;
    bool any = false, quoted = false;
    for (; i < s.size(); ++i) {
      const char c = s[i];
      if (!quoted && c == end) break;
      any = true;
      if (c == '\\' && i + 1 < s.size()) {
        out += s[++i];
      } else if (c == '"') {
        if (quoted && i + 1 < s.size() && s[i + 1] == '"')
          out += s[++i];
        else
          quoted = !quoted;
      } else {
        out += c;
      }
    }
    if (!any) return std::nullopt;
    return out;
  };
  r.lower = bound(',');
  if (i >= s.size()) return std::nullopt;
  ++i;
  r.upper = bound('\0');
  return r;
}

// The share of infinite values among sorted values whose equal-count
// histogram has `k` infinite entries of `m` at one end.
double infinite_share(size_t k, size_t m) {
  if (k == 0 || m < 2) return 0;
  if (k >= m) return 1;
  return std::clamp((static_cast<double>(k) - 0.5) / static_cast<double>(m - 1), 0.0, 1.0);
}

// Up to 6 significant digits: shares of a histogram of ~100 entries carry no more.
double rounded(double v) {
  if (!(v > 0)) return 0;
  const double scale = std::pow(10.0, 5 - std::floor(std::log10(v)));
  return std::round(v * scale) / scale;
}

std::string number_text(double v) {
  return fmt::format("{}", v);
}

}  // namespace

std::optional<std::string> write_range_column(YAML::Emitter& out, const ColumnStats& c) {
  const auto bound = range_subtype(ColumnType{.user_type = c.type, .opaque = true});
  if (!bound || !c.range_empty) return std::nullopt;
  std::vector<std::string> lowers, uppers;
  size_t lower_inf = 0, upper_inf = 0, closed_lower = 0, closed_upper = 0, finite = 0;
  for (const auto& text : c.range_bounds) {
    const auto r = parse_range_text(text);
    if (!r || r->empty) return std::nullopt;
    if (r->lower)
      lowers.push_back(*r->lower), closed_lower += r->open == '[';
    else
      ++lower_inf;
    if (r->upper)
      uppers.push_back(*r->upper), closed_upper += r->close == ']';
    else
      ++upper_inf;
    finite += r->lower && r->upper;
  }
  std::vector<double> lengths;
  for (double l : c.range_lengths)
    if (std::isfinite(l)) lengths.push_back(std::max(0.0, l));
  const double empty = std::clamp(*c.range_empty, 0.0, 1.0);
  if (empty < 1 && (lowers.size() < 2 || lengths.size() < 2)) return std::nullopt;
  const bool whole = bound->is_integer() || bound->kind == PgType::kDate;
  std::string bounds = "[)";
  if (!whole && finite > 0) {
    bounds[0] = closed_lower * 2 >= lowers.size() ? '[' : '(';
    bounds[1] = closed_upper * 2 > uppers.size() ? ']' : ')';
  }
  out << YAML::Key << c.name << YAML::Value << YAML::BeginMap;
  out << YAML::Key << "type" << YAML::Value << YAML::DoubleQuoted << c.type;
  if (!c.not_null) {
    out << YAML::Key << "nullable" << YAML::Value << true;
    if (c.null_frac > 0)
      out << YAML::Key << "null_fraction" << YAML::Value << std::min(c.null_frac, 0.999);
  }
  out << YAML::Key << "dist" << YAML::Value << "range";
  auto histogram = [&](const char* key, const std::vector<std::string>& values) {
    out << YAML::Key << key << YAML::Value << YAML::BeginMap;
    size_t distinct = 0;
    for (size_t i = 0; i < values.size(); ++i) distinct += i == 0 || values[i] != values[i - 1];
    if (values.size() >= 2 && distinct * 2 <= values.size()) {
      // Ties fill most of the histogram (tiers in steps of 100, fixed-length
      // windows): its values with the share of rows each bound stands for, a
      // whole bucket's between two of them, half of one at either end.
      std::vector<std::pair<std::string, double>> weights;
      const double bucket = 1.0 / static_cast<double>(values.size() - 1);
      for (size_t i = 0; i < values.size(); ++i) {
        const double w = i == 0 || i + 1 == values.size() ? bucket / 2 : bucket;
        if (weights.empty() || weights.back().first != values[i])
          weights.emplace_back(values[i], w);
        else
          weights.back().second += w;
      }
      out << YAML::Key << "dist" << YAML::Value << "weighted";
      out << YAML::Key << "values" << YAML::Value << YAML::Flow << YAML::BeginMap;
      for (const auto& [v, w] : weights)
        out << YAML::Key << YAML::DoubleQuoted << v << YAML::Value << rounded(w);
      out << YAML::EndMap;
    } else if (values.size() >= 2) {
      out << YAML::Key << "dist" << YAML::Value << "empirical";
      out << YAML::Key << "histogram" << YAML::Value << YAML::Flow << YAML::BeginSeq;
      for (const auto& v : values) out << YAML::DoubleQuoted << v;
      out << YAML::EndSeq;
    } else {  // every range empty or unbounded: a placeholder the rows never show
      out << YAML::Key << "dist" << YAML::Value << "uniform";
    }
    out << YAML::EndMap;
  };
  histogram("lower", lowers);
  std::vector<std::string> length_texts;
  for (double l : lengths) length_texts.push_back(number_text(whole ? std::round(l) : l));
  histogram("length", length_texts);
  if (empty > 0) out << YAML::Key << "empty" << YAML::Value << rounded(empty);
  const size_t m = c.range_bounds.size();
  if (lower_inf > 0)
    out << YAML::Key << "lower_infinite" << YAML::Value << rounded(infinite_share(lower_inf, m));
  if (upper_inf > 0)
    out << YAML::Key << "upper_infinite" << YAML::Value << rounded(infinite_share(upper_inf, m));
  if (bounds != "[)") out << YAML::Key << "bounds" << YAML::Value << bounds;
  out << YAML::EndMap;
  return fmt::format(
      "{}: ranges from the range statistics (lower bounds from the bounds histogram's {} lower "
      "bounds, lengths from the {} finite lengths of range_length_histogram, {:.3g} empty); "
      "which length goes with which lower bound is not kept, nor an upper bound's own histogram",
      c.name, lowers.size(), lengths.size(), empty);
}

std::string no_values_reason(const ColumnStats& c) {
  if (c.range_empty && !range_subtype(ColumnType{.user_type = c.type, .opaque = true}))
    return " (a range type of its own: only int4range, int8range, numrange, daterange, tsrange "
           "and tstzrange are generated)";
  if (c.range_unread.empty()) return " and pg_stats holds none of its values";
  return fmt::format(" without its range statistics ({})", c.range_unread);
}

}  // namespace pgshape::stats
