// Parameter picks written as a profile writes them, for tests that build a
// Query in code: {"most_common", "rank:3", "literal:7"}.
#pragma once

#include <initializer_list>
#include <stdexcept>
#include <string>
#include <vector>

#include "pgshape/profile.hpp"

namespace pgshape::testing {

inline std::vector<Pick> picks(std::initializer_list<const char*> texts) {
  std::vector<Pick> out;
  for (const char* text : texts) {
    auto pick = parse_pick(text);
    if (!pick) throw std::invalid_argument(std::string("not a pick: ") + text);
    out.push_back(*pick);
  }
  return out;
}

}  // namespace pgshape::testing
