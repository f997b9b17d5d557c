// Parameter values for load tests, drawn with the data's own skew: each value
// of a parameter is its column's value at a row chosen uniformly at random, so
// a promoted product appears in the parameters exactly as often as in the
// table. Needs no database: the values come from the same generators as the data.
#pragma once

#include <cstdint>
#include <string>
#include <vector>

#include "pgshape/profile.hpp"

namespace pgshape {

struct ParamFile {
  std::vector<std::string> names;              // one per $n: "table.column" or "$n"
  std::vector<std::vector<std::string>> rows;  // `count` rows of text values
};

// Draws `count` parameter rows for `query` at `scale`. A parameter with a column
// draws from it (NULLs are skipped); one without takes its first literal pick.
// Throws UsageError when a parameter has neither.
ParamFile draw_params(const Profile& profile, const Scale& scale, uint64_t seed, const Query& query,
                      int64_t count);

}  // namespace pgshape
