// The profile's vocabulary, declared once: which keys each section takes and
// which parameters each distribution takes. Used by the parser and its checks.
#pragma once

#include <optional>
#include <string_view>
#include <vector>

#include "pgshape/profile.hpp"

namespace pgshape::profile {

std::vector<std::string_view> section_keys(std::string_view section);

struct DistSpec {
  DistKind kind;
  std::string_view name;
  std::vector<std::string_view> params;    // keys it accepts besides the column keys
  std::vector<std::string_view> required;  // of which these must be present
};
const std::vector<DistSpec>& distributions();
const DistSpec* find_distribution(std::string_view name);
std::vector<std::string_view> distribution_names();

}  // namespace pgshape::profile
