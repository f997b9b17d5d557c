// Internal to src/app: what the fidelity files share. The command is cut by
// what each part needs to be checked: fidelity.cpp talks to both servers,
// fidelity_measures.cpp and fidelity_report.cpp are the pure score (unit-tested
// without a server), fidelity_picks.cpp chooses the values $n is explained with,
// fidelity_queries.cpp reads the query file. The public face is pgshape/fidelity.hpp.
#pragma once

#include <cctype>
#include <string>
#include <string_view>
#include <vector>

#include "pgshape/fidelity.hpp"
#include "pgshape/profile.hpp"
#include "pgshape/stats.hpp"

namespace pgshape::fidelity_internal {

// Identifier bytes as PostgreSQL's lexer takes them (any byte >= 0x80 too), '$' aside:
// the words a statement starts with or names its tables by.
inline bool ident_start(char c) {
  return std::isalpha(static_cast<unsigned char>(c)) || c == '_' ||
         static_cast<unsigned char>(c) >= 0x80;
}
inline bool ident_char(char c) {
  return ident_start(c) || std::isdigit(static_cast<unsigned char>(c));
}
inline std::string lower(std::string s) {
  for (auto& c : s) c = static_cast<char>(std::tolower(static_cast<unsigned char>(c)));
  return s;
}

// A comparison `column = $n` or `qualifier.column = $n` in a statement's text, read
// as the pattern (?:(ID)\.)?(ID)\s*=\s*\$([0-9]{1,6}) with ID [A-Za-z_][A-Za-z0-9_]*,
// leftmost first and never overlapping — words, not a parse (bound_columns'
// way of placing $n). A hand-written scan: std::regex costs seconds of compile
// time and warns (-Wmaybe-uninitialized inside libstdc++) in the sanitizer build.
struct ComparedParam {
  std::string qualifier;  // "" when unqualified
  std::string column;
  int n = 0;
  size_t end = 0;  // just past the match
};
std::vector<ComparedParam> compared_params(std::string_view sql);

// min/max of two counts, each read as at least 0 (1 when equal).
double ratio(double a, double b);
// A measure with its closeness clamped to [0, 1].
FidelityMeasure measure(std::string name, double source, double mirror, double closeness);
// Source column `s` of table `st` against the mirror's table `mt` (null: missing).
ColumnFidelity score_column(const TableStats& st, const ColumnStats& s, const TableStats* mt,
                            const HistogramRanker& rank);

// Every statement of the query file, and after a $n statement its hot and rare
// variants: each side picks its values from its own statistics, as it would plan
// them. Appends to `queries` and, one entry per query, to the values vectors.
void query_file_variants(const std::vector<FidelityQuery>& file_queries,
                         const StatsSnapshot& source, const StatsSnapshot& mirror,
                         std::vector<FidelityQuery>& queries,
                         std::vector<std::vector<std::string>>& source_values,
                         std::vector<std::vector<std::string>>& mirror_values);

// The variants of a profile query: the cartesian product of its params' picks, in
// the order resolve_params gives them (the first param's picks outermost), each
// side's values from its own statistics. A variant a side cannot resolve is named
// in `skipped` instead.
void profile_variants(const Query& q, const std::string& file, const StatsSnapshot& source,
                      const StatsSnapshot& mirror, uint64_t seed,
                      std::vector<FidelityQuery>& queries,
                      std::vector<std::vector<std::string>>& source_values,
                      std::vector<std::vector<std::string>>& mirror_values,
                      std::vector<std::string>& skipped);

}  // namespace pgshape::fidelity_internal
