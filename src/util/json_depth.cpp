// A bound on JSON nesting, checked before nlohmann::json parses a file: its
// values are copied and destroyed recursively, so depth is stack.
#include <optional>
#include <string_view>

#include "pgshape/util.hpp"

namespace pgshape {

std::optional<size_t> json_too_deep(std::string_view text, size_t max_depth) {
  size_t depth = 0;
  bool in_string = false;
  for (size_t i = 0; i < text.size(); ++i) {
    const char c = text[i];
    if (in_string) {
      if (c == '\\')
        ++i;
      else if (c == '"')
        in_string = false;
    } else if (c == '"') {
      in_string = true;
    } else if (c == '[' || c == '{') {
      if (++depth > max_depth) return i;
    } else if ((c == ']' || c == '}') && depth > 0) {
      --depth;
    }
  }
  return std::nullopt;
}

}  // namespace pgshape
