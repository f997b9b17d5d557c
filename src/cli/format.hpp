// Small number formatters for terminal output.
#pragma once

#include <cstdint>
#include <string>

namespace pgshape::cli {

// 340000 -> "340,000".
inline std::string thousands(int64_t value) {
  std::string digits = std::to_string(value < 0 ? -value : value);
  std::string out;
  for (size_t i = 0; i < digits.size(); ++i) {
    if (i > 0 && (digits.size() - i) % 3 == 0) out += ',';
    out += digits[i];
  }
  return value < 0 ? "-" + out : out;
}

}  // namespace pgshape::cli
