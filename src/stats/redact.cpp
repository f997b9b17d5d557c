// --redact: the text values pg_stats carries (MCVs, histogram bounds) and string
// literals in partial-index predicates become synthetic tokens. A token keeps the
// value's byte width (so avg_width and the generated widths stay right) and its
// rank among the column's values (so histograms stay sorted and an MCV keeps
// its frequency). Numbers, dates, times, booleans and uuids are kept: plans
// depend on them and they identify nobody by themselves.
#include <algorithm>
#include <map>
#include <set>

#include "pgshape/gen.hpp"
#include "pgshape/profile.hpp"
#include "pgshape/stats.hpp"
#include "stats/internal.hpp"

namespace pgshape {
namespace stats {

bool is_text_type(const std::string& type) {
  return type == "text" || type.rfind("character", 0) == 0 || type == "name" || type == "citext" ||
         type == "\"char\"";
}

}  // namespace stats

namespace {

// Lowercase base-26 digits sort the same way in C and in the usual ICU/glibc
// collations, which is what keeps a redacted histogram sorted on the source's terms.
std::string rank_code(size_t rank, size_t digits) {
  std::string code(digits, 'a');
  for (size_t k = digits; k-- > 0;) {
    code[k] = static_cast<char>('a' + rank % 26);
    rank /= 26;
  }
  return code;
}

// Tokens for a column's distinct values: rank code first, then filler to the width.
std::map<std::string, std::string> column_tokens(const std::set<std::string>& values,
                                                 int max_chars) {
  size_t digits = 1;
  for (size_t span = 26; span < values.size(); span *= 26) ++digits;
  std::map<std::string, std::string> out;
  std::set<std::string> used;
  size_t rank = 0;
  for (const auto& v : values) {
    size_t width = v.size();
    if (max_chars > 0) width = std::min(width, static_cast<size_t>(max_chars));
    std::string token = rank_code(rank++, digits);
    // Narrow values keep their width unless that would merge two values.
    if (width < token.size() && !used.count(token.substr(0, width)) && width > 0)
      token.resize(width);
    while (token.size() < width) token += 'x';
    used.insert(token);
    out[v] = token;
  }
  return out;
}

// Replaces the string literals of a predicate: known values by their token,
// others by an 'x' run of the same width.
std::string redact_predicate(const std::string& where,
                             const std::map<std::string, std::string>& tokens) {
  std::string out;
  for (size_t i = 0; i < where.size();) {
    if (where[i] != '\'') {
      out += where[i++];
      continue;
    }
    std::string literal;
    size_t j = i + 1;
    for (; j < where.size(); ++j) {
      if (where[j] == '\'' && j + 1 < where.size() && where[j + 1] == '\'') {
        literal += '\'';
        ++j;
      } else if (where[j] == '\'') {
        break;
      } else {
        literal += where[j];
      }
    }
    auto it = tokens.find(literal);
    out += '\'';
    out += it != tokens.end() ? it->second : std::string(literal.size(), 'x');
    out += '\'';
    i = j + 1;
  }
  return out;
}

}  // namespace

void redact_snapshot(StatsSnapshot& snapshot) {
  for (auto& table : snapshot.tables) {
    std::map<std::string, std::string> table_tokens;  // for predicates
    for (auto& c : table.columns) {
      if (!stats::is_text_type(c.type)) continue;
      std::set<std::string> values(c.mcv.begin(), c.mcv.end());
      values.insert(c.histogram.begin(), c.histogram.end());
      int max_chars = 0;
      if (auto type = parse_column_type(c.type)) max_chars = type->max_chars();
      auto tokens = column_tokens(values, max_chars);
      for (auto& v : c.mcv) v = tokens[v];
      for (auto& v : c.histogram) v = tokens[v];
      std::sort(c.histogram.begin(), c.histogram.end());
      for (auto& [value, token] : tokens) table_tokens.emplace(value, token);
      if (c.default_expr.find('\'') != std::string::npos)
        c.default_expr = redact_predicate(c.default_expr, tokens);
    }
    for (auto& index : table.indexes) {
      if (!index.where.empty()) index.where = redact_predicate(index.where, table_tokens);
      // A definition's literals may be syntax (int4range(a, b, '[]')) rather than
      // values: one with a literal that is no known value is dropped (the writer
      // names the index as left out) rather than rebuilt wrong.
      if (index.definition.find('\'') == std::string::npos) continue;
      const std::string redacted = redact_predicate(index.definition, table_tokens);
      bool all_known = true;
      for (size_t at = 0; (at = index.definition.find('\'', at)) != std::string::npos;) {
        size_t end = at + 1;
        std::string literal;
        for (; end < index.definition.size(); ++end) {
          if (index.definition[end] == '\'' && end + 1 < index.definition.size() &&
              index.definition[end + 1] == '\'') {
            literal += '\'';
            ++end;
          } else if (index.definition[end] == '\'') {
            break;
          } else {
            literal += index.definition[end];
          }
        }
        all_known = all_known && table_tokens.count(literal);
        at = end + 1;
      }
      index.definition = all_known ? redacted : "";
    }
  }
  snapshot.redacted = true;
}

}  // namespace pgshape
