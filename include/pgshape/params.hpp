// Parameter values for load tests, drawn with the data's own skew: each value
// of a parameter is its column's value at a row chosen uniformly at random, so
// a promoted product appears in the parameters exactly as often as in the
// table. Needs no database: the values come from the same generators as the data.
#pragma once

#include <cstdint>
#include <string>
#include <string_view>
#include <vector>

#include "pgshape/profile.hpp"

namespace pgshape {

struct ParamFile {
  std::vector<std::string> names;              // one per source: "table.column" or "$n"
  std::vector<bool> integer;                   // per source: drawn from an integer column
  std::vector<std::vector<std::string>> rows;  // `count` rows of text values
};

// Draws `count` rows, one value per source. A source with a column draws from it
// (NULLs are skipped: `=` never matches them); one without takes its first
// literal pick. `stream` names the draw: the same stream, seed and count give
// the same rows, independent of every other stream and of the data's own.
// Throws UsageError when a source has neither a column nor a literal.
ParamFile draw_params(const Profile& profile, const Scale& scale, uint64_t seed,
                      std::string_view stream, const std::vector<QueryParam>& sources,
                      int64_t count);

// The parameters of one query ($1..$n), drawn on the query's own stream.
ParamFile draw_params(const Profile& profile, const Scale& scale, uint64_t seed, const Query& query,
                      int64_t count);

// A literal pick's value ("literal:x" or "x").
std::string literal_value(const QueryParam& param);

// RFC 4180 CSV with a header line. Empty strings are quoted ("") so that COPY's
// CSV format reads them as empty strings, not as NULL.
std::string to_csv(const ParamFile& file);
// A JSON array of objects keyed by `names`, ready for k6's SharedArray. Values
// of integer columns that fit a double exactly are numbers; all else strings.
std::string to_json(const ParamFile& file);

}  // namespace pgshape
