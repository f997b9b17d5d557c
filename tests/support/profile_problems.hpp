// What parsing a profile text refuses, for unit tests that check a message is
// among the diagnostics: problems() of the text, has() one that mentions a phrase.
#pragma once

#include <string>
#include <vector>

#include "pgshape/error.hpp"
#include "pgshape/profile.hpp"

namespace pgshape::testing {

// The diagnostics parse_profile raises on `text` (as file p.yaml); none when it parses.
inline std::vector<Diagnostic> problems(const std::string& text) {
  try {
    parse_profile(text, "p.yaml");
  } catch (const ProfileError& e) {
    return e.diagnostics();
  }
  return {};
}

// True when a diagnostic's message contains `needle`.
inline bool has(const std::vector<Diagnostic>& list, const std::string& needle) {
  for (const auto& d : list)
    if (d.message.find(needle) != std::string::npos) return true;
  return false;
}

}  // namespace pgshape::testing
