// Arrays and jsonb columns in a stats-made profile: an array column from
// pg_stats' element statistics (dist: array), a jsonb column whose sampled
// documents are all objects from their key sets and per-key values
// (dist: document). Anything else keeps the whole-value sampling of the caller.
#include <nlohmann/json.hpp>

#include <algorithm>
#include <cmath>
#include <map>

#include <fmt/format.h>

#include "pgshape/util.hpp"
#include "stats/element_writer.hpp"

namespace pgshape::stats {
namespace {

// Up to 6 significant digits: frequencies carry no more (pg_stats holds float4).
double rounded(double v) {
  if (!(v > 0)) return 0;
  const double scale = std::pow(10.0, 5 - std::floor(std::log10(v)));
  return std::round(v * scale) / scale;
}

void nullability(YAML::Emitter& out, const ColumnStats& c) {
  if (c.not_null) return;
  out << YAML::Key << "nullable" << YAML::Value << true;
  if (c.null_frac > 0)
    out << YAML::Key << "null_fraction" << YAML::Value << std::min(c.null_frac, 0.999);
}

std::optional<std::string> write_array(YAML::Emitter& out, const ColumnStats& c, double rows) {
  if (c.elem_counts.size() < 3) return std::nullopt;  // no element statistics
  const auto element = parse_column_type(c.type.substr(0, c.type.find('[')));
  std::vector<double> lengths(c.elem_counts.begin(), c.elem_counts.end() - 1);
  for (auto& l : lengths) l = std::max(0.0, std::round(l));
  std::sort(lengths.begin(), lengths.end());
  const double average = c.elem_counts.back();
  const size_t listed = std::min(c.mce.size(), c.mcef.size());
  double least = 1, null_elements = 0;
  for (size_t i = 0; i < listed; ++i) least = std::min(least, static_cast<double>(c.mcef[i]));
  if (c.mcef.size() >= c.mce.size() + 3) null_elements = c.mcef[c.mce.size() + 2];
  // The elements ANALYZE did not list were below its cutoff (9 in ~142857 of
  // the sample's elements at the default target, array_typanalyze.c) or, when
  // the list is full (1000), below its least: the rest each stay under both,
  // by a margin, so the mirror's ANALYZE does not list them either.
  const double sampled = std::max(1.0, std::min(rows, 30000.0) * (1 - c.null_frac));
  const double cutoff_count = 9 * sampled * average / 142857.0;
  double rest = listed >= 1000 ? least / 2 : std::min(least / 2, cutoff_count / 3 / sampled);
  if (listed < 1000 && cutoff_count < 1) rest = 0;  // every element was counted, and listed
  if (!element) rest = 0;                           // no tail of this element type to make
  // The listed elements account for every element a row holds (their shares sum
  // to the mean distinct count per row): production has no others to make.
  double listed_per_row = 0;
  for (size_t i = 0; i < listed; ++i) listed_per_row += static_cast<double>(c.mcef[i]);
  if (average - listed_per_row <= std::max(0.01, 0.005 * average)) rest = 0;
  out << YAML::Key << c.name << YAML::Value << YAML::BeginMap;
  out << YAML::Key << "type" << YAML::Value << YAML::DoubleQuoted << c.type;
  nullability(out, c);
  out << YAML::Key << "dist" << YAML::Value << "array";
  out << YAML::Key << "elements" << YAML::Value << YAML::BeginMap;
  if (listed > 0) {
    out << YAML::Key << "values" << YAML::Value << YAML::Flow << YAML::BeginMap;
    for (size_t i = 0; i < listed; ++i)
      out << YAML::Key << YAML::DoubleQuoted << c.mce[i] << YAML::Value
          << rounded(std::min(1.0, static_cast<double>(c.mcef[i])));
    out << YAML::EndMap;
  }
  out << YAML::Key << "rest" << YAML::Value << rounded(std::min(rest, least));
  out << YAML::EndMap;
  out << YAML::Key << "lengths" << YAML::Value << YAML::Flow << YAML::BeginSeq;
  for (double l : lengths) out << static_cast<int64_t>(l);
  out << YAML::EndSeq << YAML::EndMap;
  std::string note = fmt::format(
      "{}: arrays from pg_stats' element statistics ({} most common elements with their share "
      "of rows, distinct elements per row from elem_count_histogram; which elements go "
      "together is not kept), the other elements generated {}",
      c.name, listed, rest > 0 ? fmt::format("(each in {:.2g} of the rows)", rest) : "(none)");
  if (null_elements > 0) note += "; NULL elements are not generated";
  return note;
}

std::optional<std::string> write_document(YAML::Emitter& out, const ColumnStats& c) {
  // Production's documents pg_stats holds: MCVs with their frequencies, the
  // histogram's bounds sharing the rest (as the planner weighs them).
  std::vector<std::pair<nlohmann::json, double>> docs;
  double named = 0;
  for (size_t i = 0; i < c.mcv.size() && i < c.mcf.size(); ++i) named += c.mcf[i];
  const double rest = std::max(0.0, 1 - c.null_frac - named);
  auto take = [&](const std::string& text, double w) {
    if (json_too_deep(text, 64)) return false;  // kept whole by the caller's sampling
    auto doc = nlohmann::json::parse(text, nullptr, false);
    if (doc.is_discarded() || !doc.is_object()) return false;
    docs.emplace_back(std::move(doc), w);
    return true;
  };
  for (size_t i = 0; i < c.mcv.size() && i < c.mcf.size(); ++i)
    if (!take(c.mcv[i], c.mcf[i])) return std::nullopt;
  for (const auto& bound : c.histogram)
    if (!take(bound, std::max(rest, 1e-6) / static_cast<double>(c.histogram.size())))
      return std::nullopt;
  if (docs.size() < 2) return std::nullopt;
  std::map<std::string, double> sets;  // JSON list of keys -> weight
  std::map<std::string, std::map<std::string, double>> values;
  std::vector<std::string> order;  // keys in first-seen order
  double total = 0;
  for (const auto& [doc, w] : docs) {
    nlohmann::json keys = nlohmann::json::array();
    for (auto it = doc.begin(); it != doc.end(); ++it) {
      keys.push_back(it.key());
      if (!values.count(it.key())) order.push_back(it.key());
      values[it.key()][it.value().dump()] += w;
    }
    sets[keys.dump()] += w;
    total += w;
  }
  out << YAML::Key << c.name << YAML::Value << YAML::BeginMap;
  out << YAML::Key << "type" << YAML::Value << YAML::DoubleQuoted << c.type;
  nullability(out, c);
  out << YAML::Key << "dist" << YAML::Value << "document";
  out << YAML::Key << "key_sets" << YAML::Value << YAML::BeginMap;
  for (const auto& [set, w] : sets)
    out << YAML::Key << YAML::DoubleQuoted << set << YAML::Value << rounded(w / total);
  out << YAML::EndMap << YAML::Key << "keys" << YAML::Value << YAML::BeginMap;
  for (const auto& key : order) {
    out << YAML::Key << YAML::DoubleQuoted << key << YAML::Value << YAML::Flow << YAML::BeginMap;
    for (const auto& [v, w] : values[key])
      out << YAML::Key << YAML::DoubleQuoted << v << YAML::Value << rounded(w / total);
    out << YAML::EndMap;
  }
  out << YAML::EndMap << YAML::EndMap;
  return fmt::format(
      "{}: jsonb objects made from the {} production documents pg_stats holds: {} key sets, "
      "each key's values drawn on their own (values that are objects or arrays are kept whole; "
      "which values go together is not)",
      c.name, docs.size(), sets.size());
}

}  // namespace

std::optional<std::string> write_element_column(YAML::Emitter& out, const ColumnStats& c,
                                                double rows) {
  if (c.type.size() > 2 && c.type.substr(c.type.size() - 2) == "[]")
    return write_array(out, c, rows);
  if (c.type == "jsonb") return write_document(out, c);
  return write_range_column(out, c);
}

}  // namespace pgshape::stats
