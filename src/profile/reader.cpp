#include "profile/reader.hpp"

#include <fmt/format.h>
#include <cmath>
#include <set>

#include "pgshape/profile.hpp"
#include "pgshape/util.hpp"

namespace pgshape::profile {

SourcePos Reader::pos(const YAML::Node& node) {
  const YAML::Mark mark = node.Mark();
  if (mark.is_null()) return {};
  return {mark.line + 1, mark.column + 1};
}

void Reader::error(ErrorId code, SourcePos at, std::string message, std::string hint) {
  diagnostics_.push_back(Diagnostic{.code = std::string(code.code()),
                                    .file = file_,
                                    .line = at.line,
                                    .column = at.column,
                                    .message = std::move(message),
                                    .hint = std::move(hint)});
}

bool Reader::check_map(const YAML::Node& node, std::string_view what,
                       const std::vector<std::string_view>& allowed) {
  if (!node.IsMap()) {
    error("profile.bad-type", node, fmt::format("{} must be a map of keys to values", what));
    return false;
  }
  std::set<std::string> seen;
  for (auto it = node.begin(); it != node.end(); ++it) {
    if (!it->first.IsScalar()) {
      error("profile.bad-type", it->first,
            fmt::format("{} has a key that is not a plain name", what));
      continue;
    }
    const std::string key = it->first.Scalar();
    if (!seen.insert(key).second)
      error("profile.duplicate-key", it->first, fmt::format("duplicate key '{}' in {}", key, what),
            "each key may appear once; remove or merge the repeated one");
    if (allowed.empty()) continue;
    bool known = false;
    for (auto a : allowed) known = known || a == key;
    if (known) continue;
    std::string suggestion = closest_match(key, allowed);
    error("profile.unknown-key", it->first, fmt::format("unknown key '{}' in {}", key, what),
          suggestion.empty() ? fmt::format("allowed keys: {}", fmt::join(allowed, ", "))
                             : fmt::format("did you mean '{}'?", suggestion));
  }
  return true;
}

std::optional<std::string> Reader::string(const YAML::Node& node, std::string_view what) {
  if (!node.IsScalar()) {
    error("profile.bad-type", node, fmt::format("{} must be a string", what));
    return std::nullopt;
  }
  return node.Scalar();
}

std::optional<double> Reader::number(const YAML::Node& node, std::string_view what) {
  double value = 0;
  if (!node.IsScalar() || !YAML::convert<double>::decode(node, value)) {
    error("profile.bad-type", node,
          fmt::format("{} must be a number, not '{}'", what,
                      node.IsScalar() ? node.Scalar()
                                      : std::string("a ") + (node.IsMap() ? "map" : "list")));
    return std::nullopt;
  }
  if (!std::isfinite(value)) {
    error("profile.bad-type", node,
          fmt::format("{} must be a finite number, not '{}'", what, node.Scalar()));
    return std::nullopt;
  }
  return value;
}

std::optional<int64_t> Reader::integer(const YAML::Node& node, std::string_view what) {
  int64_t value = 0;
  if (node.IsScalar() && YAML::convert<int64_t>::decode(node, value)) return value;
  if (node.IsScalar()) {
    const std::string& text = node.Scalar();
    bool digits = !text.empty();
    for (size_t i = text[0] == '-' || text[0] == '+' ? 1 : 0; i < text.size(); ++i)
      digits = digits && std::isdigit(static_cast<unsigned char>(text[i]));
    if (digits) {
      error("profile.out-of-range", node,
            fmt::format("{} '{}' is too large (at most 2^63-1)", what, text));
      return std::nullopt;
    }
  }
  error("profile.bad-type", node,
        fmt::format("{} must be a whole number, not '{}'", what,
                    node.IsScalar() ? node.Scalar() : std::string("a collection")));
  return std::nullopt;
}

std::optional<bool> Reader::boolean(const YAML::Node& node, std::string_view what) {
  bool value = false;
  if (!node.IsScalar() || !YAML::convert<bool>::decode(node, value)) {
    error("profile.bad-type", node, fmt::format("{} must be true or false", what));
    return std::nullopt;
  }
  return value;
}

bool Reader::identifier(const YAML::Node& node, const std::string& name, std::string_view what) {
  if (name.empty()) {
    error("profile.bad-name", node, fmt::format("{} name is empty", what), "give it a name");
    return false;
  }
  for (char c : name) {
    const auto byte = static_cast<unsigned char>(c);
    if (byte < 0x20 || byte == 0x7f) {
      error("profile.bad-name", node,
            fmt::format("{} name contains a control character (byte 0x{:02x})", what, byte),
            byte == '\n' ? "a line break in a name usually means a quote was left open"
                         : "use printable characters only");
      return false;
    }
  }
  if (name.size() > kMaxNameBytes) {
    error("profile.bad-name", node,
          fmt::format("{} name '{}' is {} bytes long; PostgreSQL keeps only {}", what, name,
                      name.size(), kMaxNameBytes),
          "shorten it: PostgreSQL would silently cut it, and two long names could collide");
    return false;
  }
  return true;
}

void Reader::poison(std::string_view table, std::string_view column) {
  poisoned_.emplace(std::string(table), std::string(column));
}

bool Reader::poisoned(std::string_view table, std::string_view column) const {
  return poisoned_.count({std::string(table), std::string()}) > 0 ||
         (!column.empty() && poisoned_.count({std::string(table), std::string(column)}) > 0);
}

}  // namespace pgshape::profile
