// The profile reference in Markdown, generated from the key table that also
// drives the parser: README's reference cannot disagree with what is accepted
// (tests/unit/profile/reference_test.cpp checks README against this text).
#include <fmt/format.h>
#include <algorithm>

#include "pgshape/profile.hpp"
#include "profile/keys.hpp"

namespace pgshape {

std::string profile_reference_markdown() {
  std::string out;
  struct Section {
    std::string_view key;
    std::string_view title;
  };
  static constexpr Section kSections[] = {
      {"profile", "Top level"},
      {"table", "`tables.<name>`"},
      {"column", "`tables.<name>.columns.<name>`"},
      {"dist", "Distribution parameters (in the column's map)"},
      {"index", "`tables.<name>.indexes[]`"},
      {"index_column", "`tables.<name>.indexes[].columns[]` as a map"},
      {"statistics", "`tables.<name>.statistics[]`"},
      {"query", "`queries[]`"},
      {"param", "`queries[].params[]` (one per `$n`)"},
      {"experiment", "`experiments[]`"},
      {"transaction", "`transactions[]`"},
      {"type", "`types.<name>`"},
      {"check", "`tables.<name>.checks[]`"},
      {"left_out", "`left_out[]`"},
      {"foreign_key", "`tables.<name>.foreign_keys[]`"},
      {"partition", "`tables.<name>.partitions[]`"},
      {"elements", "`elements` of an array column (`dist: array`)"},
      {"function", "`functions[]`"},
      {"view", "`views[]`"},
  };
  for (const auto& section : kSections) {
    out += fmt::format("#### {}\n\n| key | type | meaning |\n|---|---|---|\n", section.title);
    for (const auto& key : profile_keys())
      if (key.section == section.key)
        out += fmt::format("| `{}` | {} | {} |\n", key.key, key.type, key.doc);
    out += "\n";
  }
  out += "#### Distributions (`dist:`)\n\n| dist | parameters (required in bold) |\n|---|---|\n";
  for (const auto& spec : profile::distributions()) {
    std::vector<std::string> params;
    for (auto p : spec.params) {
      bool required =
          std::find(spec.required.begin(), spec.required.end(), p) != spec.required.end();
      params.push_back(required ? fmt::format("**{}**", p) : std::string(p));
    }
    out +=
        fmt::format("| `{}` | {} |\n", spec.name,
                    params.empty() ? std::string("—") : fmt::format("{}", fmt::join(params, ", ")));
  }
  return out;
}

}  // namespace pgshape
