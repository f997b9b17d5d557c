// The util module's small helpers shared by every layer.
#include <algorithm>
#include <string>
#include <string_view>
#include <vector>

#include "pgshape/util.hpp"

namespace pgshape {

std::string closest_match(std::string_view word, const std::vector<std::string_view>& candidates) {
  // Optimal string alignment distance: Levenshtein plus the swap of two adjacent
  // characters as one edit, the commonest typo ("hepl", "dsit", "verison").
  auto distance = [](std::string_view a, std::string_view b) {
    std::vector<std::vector<size_t>> d(a.size() + 1, std::vector<size_t>(b.size() + 1));
    for (size_t i = 0; i <= a.size(); ++i) d[i][0] = i;
    for (size_t j = 0; j <= b.size(); ++j) d[0][j] = j;
    for (size_t i = 1; i <= a.size(); ++i) {
      for (size_t j = 1; j <= b.size(); ++j) {
        d[i][j] =
            std::min({d[i - 1][j] + 1, d[i][j - 1] + 1, d[i - 1][j - 1] + (a[i - 1] != b[j - 1])});
        if (i > 1 && j > 1 && a[i - 1] == b[j - 2] && a[i - 2] == b[j - 1])
          d[i][j] = std::min(d[i][j], d[i - 2][j - 2] + 1);
      }
    }
    return d[a.size()][b.size()];
  };
  std::string best;
  size_t best_distance = std::max<size_t>(1, word.size() / 3) + 1;
  for (auto candidate : candidates) {
    size_t d = distance(word, candidate);
    if (d < best_distance) best_distance = d, best = candidate;
  }
  return best;
}

std::string plural(long long count, std::string_view one, std::string_view many) {
  const std::string noun = count == 1     ? std::string(one)
                           : many.empty() ? std::string(one) + "s"
                                          : std::string(many);
  return std::to_string(count) + " " + noun;
}

size_t display_width(std::string_view s) {
  size_t n = 0;
  for (unsigned char c : s) n += (c & 0xC0) != 0x80;
  return n;
}

std::string cut_to_width(std::string_view s, size_t width) {
  if (display_width(s) <= width) return std::string(s);
  if (width == 0) return "";
  std::string out;
  size_t cols = 0;
  for (char ch : s) {
    const auto c = static_cast<unsigned char>(ch);
    if ((c & 0xC0) != 0x80 && ++cols == width) break;
    out += ch;
  }
  return out + "…";
}

std::string pad_to_width(std::string_view s, size_t width) {
  const size_t have = display_width(s);
  return std::string(s) + std::string(width > have ? width - have : 0, ' ');
}

}  // namespace pgshape
