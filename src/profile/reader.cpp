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

void Reader::error(SourcePos at, std::string message, std::string hint) {
  diagnostics_.push_back(Diagnostic{.file = file_,
                                    .line = at.line,
                                    .column = at.column,
                                    .message = std::move(message),
                                    .hint = std::move(hint)});
}

bool Reader::check_map(const YAML::Node& node, std::string_view what,
                       const std::vector<std::string_view>& allowed) {
  if (!node.IsMap()) {
    error(node, fmt::format("{} must be a map of keys to values", what));
    return false;
  }
  std::set<std::string> seen;
  for (auto it = node.begin(); it != node.end(); ++it) {
    if (!it->first.IsScalar()) {
      error(it->first, fmt::format("{} has a key that is not a plain name", what));
      continue;
    }
    const std::string key = it->first.Scalar();
    if (!seen.insert(key).second)
      error(it->first, fmt::format("duplicate key '{}' in {}", key, what),
            "each key may appear once; remove or merge the repeated one");
    if (allowed.empty()) continue;
    bool known = false;
    for (auto a : allowed) known = known || a == key;
    if (known) continue;
    std::string suggestion = closest_match(key, allowed);
    error(it->first, fmt::format("unknown key '{}' in {}", key, what),
          suggestion.empty() ? fmt::format("allowed keys: {}", fmt::join(allowed, ", "))
                             : fmt::format("did you mean '{}'?", suggestion));
  }
  return true;
}

std::optional<std::string> Reader::string(const YAML::Node& node, std::string_view what) {
  if (!node.IsScalar()) {
    error(node, fmt::format("{} must be a string", what));
    return std::nullopt;
  }
  return node.Scalar();
}

std::optional<double> Reader::number(const YAML::Node& node, std::string_view what) {
  double value = 0;
  if (!node.IsScalar() || !YAML::convert<double>::decode(node, value)) {
    error(node, fmt::format("{} must be a number, not '{}'", what,
                            node.IsScalar() ? node.Scalar()
                                            : std::string("a ") + (node.IsMap() ? "map" : "list")));
    return std::nullopt;
  }
  if (!std::isfinite(value)) {
    error(node, fmt::format("{} must be a finite number, not '{}'", what, node.Scalar()));
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
      error(node, fmt::format("{} '{}' is too large (at most 2^63-1)", what, text));
      return std::nullopt;
    }
  }
  error(node, fmt::format("{} must be a whole number, not '{}'", what,
                          node.IsScalar() ? node.Scalar() : std::string("a collection")));
  return std::nullopt;
}

std::optional<bool> Reader::boolean(const YAML::Node& node, std::string_view what) {
  bool value = false;
  if (!node.IsScalar() || !YAML::convert<bool>::decode(node, value)) {
    error(node, fmt::format("{} must be true or false", what));
    return std::nullopt;
  }
  return value;
}

void Reader::identifier(const YAML::Node& node, const std::string& name, std::string_view what) {
  // NAMEDATALEN - 1: PostgreSQL truncates longer identifiers without an error.
  constexpr size_t kMaxIdentifierBytes = 63;
  if (name.empty()) {
    error(node, fmt::format("{} name is empty", what), "give it a name");
    return;
  }
  for (char c : name) {
    const auto byte = static_cast<unsigned char>(c);
    if (byte < 0x20 || byte == 0x7f) {
      error(node, fmt::format("{} name contains a control character (byte 0x{:02x})", what, byte),
            byte == '\n' ? "a line break in a name usually means a quote was left open"
                         : "use printable characters only");
      return;
    }
  }
  if (name.size() > kMaxIdentifierBytes) {
    error(node,
          fmt::format("{} name '{}' is {} bytes long; PostgreSQL keeps only {}", what, name,
                      name.size(), kMaxIdentifierBytes),
          "shorten it: PostgreSQL would silently cut it, and two long names could collide");
    return;
  }
}

}  // namespace pgshape::profile
