// Reading a profile file into a validated Profile.
//
// Every problem is reported with its position in the file, and all of them are
// reported at once: a user fixes a profile in one pass, not one error per run.
#pragma once

#include <string>
#include <string_view>
#include <vector>

#include "pgshape/profile.hpp"

namespace pgshape {

// Reads, parses and validates the profile at `path`. Relative `file:` / `ddl:`
// paths inside it are resolved against the profile's directory, then its parent.
// Throws ProfileError carrying every diagnostic (missing file, YAML syntax, unknown
// keys with "did you mean", bad types and parameters, broken foreign keys).
Profile load_profile(const std::string& path);

// As load_profile, over text already in memory; `file_name` is used in messages.
Profile parse_profile(std::string_view text, const std::string& file_name,
                      const std::string& base_dir = ".");

// One documented profile key: drives parsing, "did you mean" and the reference docs.
struct ProfileKey {
  std::string_view section;  // "profile", "table", "column", "index", "query", ...
  std::string_view key;
  std::string_view type;  // "integer", "number", "string", "map", "list", "bool", ...
  std::string_view doc;
};
const std::vector<ProfileKey>& profile_keys();

// The profile reference (every key, every distribution) as Markdown, from the
// same table the parser uses.
std::string profile_reference_markdown();

// The closest of `candidates` to `word` within a small edit distance, or "".
std::string closest_match(std::string_view word, const std::vector<std::string_view>& candidates);

}  // namespace pgshape
