// dist: array and dist: document: the parameters that shape a row's array
// (pg_stats' element statistics) and a row's jsonb object (key sets and
// per-key values), read and checked.
#include <nlohmann/json.hpp>

#include <algorithm>
#include <cmath>
#include <set>

#include "pgshape/util.hpp"
#include "profile/parser_impl.hpp"

namespace pgshape {

std::optional<ColumnType> array_element_type(const ColumnType& type) {
  if (!type.opaque) return std::nullopt;
  std::string_view text = type.user_type;
  if (text.size() < 3 || text.substr(text.size() - 2) != "[]") return std::nullopt;
  while (text.size() > 2 && text.substr(text.size() - 2) == "[]") text.remove_suffix(2);
  return parse_column_type(text);
}

bool is_json_type(const ColumnType& type) {
  return type.opaque && (type.user_type == "jsonb" || type.user_type == "json");
}

namespace profile {

void ProfileParser::parse_array_params(const YAML::Node& node, Column& column) {
  Distribution& d = column.dist;
  const std::string& spelled = column.type.user_type;
  if (!column.type.opaque || spelled.size() < 3 || spelled.substr(spelled.size() - 2) != "[]") {
    r_.error("profile.bad-distribution", node["dist"] ? node["dist"] : node,
             fmt::format("'array' makes arrays, but the column's type is {}", column.type.sql()),
             "write the array type, e.g. type: \"text[]\"");
    return;
  }
  const auto element = array_element_type(column.type);
  if (const YAML::Node e = node["elements"];
      e && r_.check_map(e, "elements", section_keys("elements"))) {
    if (const YAML::Node v = e["values"]; v && r_.check_map(v, "elements' values", {})) {
      std::set<std::string> seen;
      for (auto it = v.begin(); it != v.end(); ++it) {
        const std::string literal = it->first.Scalar();
        auto share = r_.number(it->second, fmt::format("the share of element '{}'", literal));
        if (share && !(*share > 0 && *share <= 1))
          r_.error(
              "profile.out-of-range", it->second,
              fmt::format("the share of element '{}' must be in (0, 1], not {}", literal, *share),
              "it is the fraction of non-NULL rows whose array holds the element");
        std::string why;
        if (element && !type_from_ddl_ && !literal_fits(*element, literal, why))
          r_.error("profile.bad-literal", it->first,
                   fmt::format("element '{}' is not a valid {}: {}", literal, element->sql(), why));
        d.elements.push_back(literal);
        d.element_freqs.push_back(share.value_or(0));
      }
    }
    if (const YAML::Node rest = e["rest"]) {
      d.element_rest = r_.number(rest, "rest").value_or(0);
      const double least = d.element_freqs.empty()
                               ? 1.0
                               : *std::min_element(d.element_freqs.begin(), d.element_freqs.end());
      if (!(d.element_rest >= 0 && d.element_rest <= least))
        r_.error("profile.out-of-range", rest,
                 fmt::format("rest must be between 0 and the least share in values ({}), not {}",
                             least, d.element_rest),
                 "rest is how often each element outside values appears");
    }
    if (d.elements.empty() && d.element_rest <= 0)
      r_.error("profile.bad-value", e, "elements names no values and no rest",
               "give values: {element: share} or rest: a share for generated elements");
  } else if (e && !e.IsMap()) {
    return;
  }
  if (const YAML::Node n = node["lengths"]) {
    if (!n.IsSequence() || n.size() < 2) {
      r_.error("profile.bad-value", n, "lengths must list at least two histogram bounds",
               "e.g. lengths: [0, 1, 2, 2, 3, 5]");
      return;
    }
    for (size_t i = 0; i < n.size(); ++i) {
      auto v = r_.number(n[i], "a length");
      if (!v) continue;
      if (!(*v >= 0 && *v <= 100000 && std::floor(*v) == *v))
        r_.error("profile.out-of-range", n[i],
                 fmt::format("a length must be a whole number 0..100000, not {}", *v));
      else if (!d.lengths.empty() && *v < d.lengths.back())
        r_.error("profile.bad-value", n[i],
                 fmt::format("lengths must be sorted: {} comes after {}", *v, d.lengths.back()));
      d.lengths.push_back(*v);
    }
    if (!d.lengths.empty() && d.lengths.back() == 0 && !d.elements.empty())
      r_.error("profile.conflict", n,
               "every array is empty (lengths all 0), yet elements are named",
               "give lengths from elem_count_histogram");
  }
}

void ProfileParser::parse_document_params(const YAML::Node& node, Column& column) {
  Distribution& d = column.dist;
  if (!is_json_type(column.type)) {
    r_.error("profile.bad-distribution", node["dist"] ? node["dist"] : node,
             fmt::format("'document' makes jsonb objects, but the column's type is {}",
                         column.type.sql()),
             "use it with type: jsonb (or json)");
    return;
  }
  std::set<std::string> named;
  if (const YAML::Node k = node["keys"]; k && r_.check_map(k, "keys", {})) {
    for (auto it = k.begin(); it != k.end(); ++it) {
      Distribution::DocumentKey key{.name = it->first.Scalar()};
      const std::string what = fmt::format("the values of key '{}'", key.name);
      named.insert(key.name);
      if (!r_.check_map(it->second, what, {})) continue;
      for (auto v = it->second.begin(); v != it->second.end(); ++v) {
        const std::string text = v->first.Scalar();
        if (json_too_deep(text) || !nlohmann::json::accept(text))
          r_.error("profile.bad-literal", v->first,
                   fmt::format("value '{}' of key '{}' is not JSON", text, key.name),
                   "quote JSON strings twice: '\"red\"'");
        auto weight = r_.number(v->second, fmt::format("the weight of '{}'", text));
        if (weight && *weight <= 0)
          r_.error("profile.out-of-range", v->second,
                   fmt::format("the weight of '{}' must be > 0, not {}", text, *weight));
        key.values.push_back(text);
        key.weights.push_back(weight.value_or(1));
      }
      if (key.values.empty())
        r_.error("profile.bad-value", it->second, fmt::format("{} is empty", what),
                 "give at least one JSON value: weight");
      d.keys.push_back(std::move(key));
    }
  }
  if (const YAML::Node s = node["key_sets"]; s && r_.check_map(s, "key_sets", {})) {
    for (auto it = s.begin(); it != s.end(); ++it) {
      const std::string text = it->first.Scalar();
      std::vector<std::string> set;
      nlohmann::json parsed =
          json_too_deep(text, 2) ? nlohmann::json() : nlohmann::json::parse(text, nullptr, false);
      bool ok = parsed.is_array();
      for (const auto& item : parsed.is_array() ? parsed : nlohmann::json::array())
        if (item.is_string())
          set.push_back(item.get<std::string>());
        else
          ok = false;
      if (!ok) {
        r_.error("profile.bad-value", it->first,
                 fmt::format("key set '{}' is not a JSON list of key names", text),
                 "write e.g. '[\"color\", \"size\"]' (an empty object: '[]')");
        continue;
      }
      for (const auto& key : set)
        if (!named.count(key))
          r_.error("profile.bad-value", it->first,
                   fmt::format("key set '{}' names key '{}', which keys does not list", text, key),
                   "add its values under keys:");
      auto weight = r_.number(it->second, fmt::format("the weight of key set '{}'", text));
      if (weight && *weight <= 0)
        r_.error("profile.out-of-range", it->second,
                 fmt::format("the weight of key set '{}' must be > 0, not {}", text, *weight));
      d.key_sets.push_back(std::move(set));
      d.key_set_weights.push_back(weight.value_or(1));
    }
    if (d.key_sets.empty())
      r_.error("profile.bad-value", s, "key_sets is empty", "give at least one key set: weight");
  }
}

}  // namespace profile
}  // namespace pgshape
