// --redact: the text values pg_stats carries (MCVs, histogram bounds), column
// defaults and string literals in partial-index predicates become pseudonyms
// that keep prefixes: character i of a value is replaced within its class
// (a-z, A-Z, 0-9, non-ASCII characters of the same UTF-8 length) by a keyed
// permutation that depends on the value's first i characters, so equal prefixes
// stay equal prefixes (LIKE 'abc%' on the source is LIKE 'xqr%' on the mirror,
// with the same values matching), equal values stay equal across columns
// (text foreign keys still match), distinct values stay distinct, and every
// value keeps its byte width and character count. Other ASCII characters
// (space, punctuation, '@', '.') are kept: they are the token shape.
//
// What it reveals: lengths, the class of each character, separators, which
// values share a prefix and how long it is, and (the first character being a
// substitution) first-character frequencies. What it does not: any character
// of a value, without the key. The key is PGSHAPE_REDACT_KEY when set (stable
// pseudonyms across refreshes), else random per run; it is never written out.
// Numbers, dates, times, booleans and uuids are kept: plans depend on them and
// they identify nobody by themselves.
#include <algorithm>
#include <cstdlib>
#include <map>
#include <random>
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

// One character class: code points [first, first + size), less the surrogates.
struct CharClass {
  uint32_t first, size, id;
};

// The class a code point is replaced within (size 0: kept as it is).
CharClass class_of(uint32_t cp, size_t bytes) {
  if (cp >= 'a' && cp <= 'z') return {'a', 26, 1};
  if (cp >= 'A' && cp <= 'Z') return {'A', 26, 2};
  if (cp >= '0' && cp <= '9') return {'0', 10, 3};
  if (bytes == 2) return {0x80, 0x800 - 0x80, 4};
  if (bytes == 3) return {0x800, 0x10000 - 0x800 - 0x800, 5};  // surrogates skipped
  if (bytes == 4) return {0x10000, 0x110000 - 0x10000, 6};
  return {0, 0, 0};
}

void append_utf8(std::string& out, uint32_t cp) {
  if (cp < 0x80) {
    out += static_cast<char>(cp);
  } else if (cp < 0x800) {
    out += static_cast<char>(0xC0 | (cp >> 6));
    out += static_cast<char>(0x80 | (cp & 0x3F));
  } else if (cp < 0x10000) {
    out += static_cast<char>(0xE0 | (cp >> 12));
    out += static_cast<char>(0x80 | ((cp >> 6) & 0x3F));
    out += static_cast<char>(0x80 | (cp & 0x3F));
  } else {
    out += static_cast<char>(0xF0 | (cp >> 18));
    out += static_cast<char>(0x80 | ((cp >> 12) & 0x3F));
    out += static_cast<char>(0x80 | ((cp >> 6) & 0x3F));
    out += static_cast<char>(0x80 | (cp & 0x3F));
  }
}

uint64_t key_from_environment() {
  if (const char* text = std::getenv("PGSHAPE_REDACT_KEY"); text && *text) return redact_key(text);
  std::random_device device;
  return (static_cast<uint64_t>(device()) << 32) ^ device();
}

// Replaces the string literals of a predicate (or a default) by their pseudonyms.
std::string redact_predicate(const std::string& where, uint64_t key) {
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
    // A literal cast to a type that is not text ('2024-01-01'::date) is kept:
    // it is no text value, and its pseudonym would not parse as that type.
    const std::string_view after = std::string_view(where).substr(std::min(j + 1, where.size()));
    const bool text_cast = after.rfind("::", 0) != 0 || after.rfind("::text", 0) == 0 ||
                           after.rfind("::character", 0) == 0 || after.rfind("::bpchar", 0) == 0 ||
                           after.rfind("::name", 0) == 0 || after.rfind("::citext", 0) == 0;
    out += '\'';
    for (char c : text_cast ? redact_text(literal, key) : literal)
      out += c == '\'' ? std::string("''") : std::string(1, c);
    out += '\'';
    i = j + 1;
  }
  return out;
}

}  // namespace

uint64_t redact_key(std::string_view secret) {
  return mix64(hash_name(secret) ^ 0x7265646163746564ULL);
}

std::string redact_text(std::string_view value, uint64_t key) {
  std::string out;
  out.reserve(value.size());
  uint64_t state = mix64(key);  // the value's prefix so far, hashed
  for (size_t i = 0; i < value.size();) {
    const auto lead = static_cast<unsigned char>(value[i]);
    size_t bytes = lead < 0x80 ? 1 : lead >= 0xF0 ? 4 : lead >= 0xE0 ? 3 : lead >= 0xC0 ? 2 : 1;
    if (i + bytes > value.size()) bytes = 1;
    uint32_t cp = bytes == 1 ? lead : lead & (0x7F >> bytes);
    for (size_t k = 1; k < bytes; ++k)
      cp = (cp << 6) | (static_cast<unsigned char>(value[i + k]) & 0x3F);
    const CharClass cls = lead >= 0x80 && bytes == 1 ? CharClass{0, 0, 0} : class_of(cp, bytes);
    if (cls.size == 0) {
      out.append(value.substr(i, bytes));  // separators, and bytes that are no UTF-8
    } else {
      uint32_t index = cp - cls.first;
      if (cls.id == 5 && cp >= 0xE000) index -= 0x800;  // past the surrogates
      auto mapped = static_cast<uint32_t>(Permutation(cls.size, mix64(state ^ cls.id))(index));
      mapped += cls.first;
      if (cls.id == 5 && mapped >= 0xD800) mapped += 0x800;
      append_utf8(out, mapped);
    }
    state = mix64(state ^ (static_cast<uint64_t>(cp) * 0x9E3779B97F4A7C15ULL + bytes));
    i += bytes;
  }
  return out;
}

void redact_snapshot(StatsSnapshot& snapshot) {
  redact_snapshot(snapshot, key_from_environment());
}

void redact_snapshot(StatsSnapshot& snapshot, uint64_t key) {
  for (auto& table : snapshot.tables) {
    std::set<std::string> table_values;  // production's values, for index definitions
    for (auto& c : table.columns) {
      if (!stats::is_text_type(c.type)) continue;
      table_values.insert(c.mcv.begin(), c.mcv.end());
      table_values.insert(c.histogram.begin(), c.histogram.end());
      if (c.default_expr.find('\'') != std::string::npos)
        c.default_expr = redact_predicate(c.default_expr, key);
      for (auto& v : c.mcv) v = redact_text(v, key);
      for (auto& v : c.histogram) v = redact_text(v, key);
      for (auto& v : c.mce) v = redact_text(v, key);
      // Bounds are sorted again (prefix groups stay together, as LIKE needs).
      std::sort(c.histogram.begin(), c.histogram.end());
    }
    for (auto& index : table.indexes) {
      if (!index.where.empty()) index.where = redact_predicate(index.where, key);
      // A definition's literals may be syntax (int4range(a, b, '[]')) rather than
      // values: one with a literal that is no known value is dropped (the writer
      // names the index as left out) rather than rebuilt wrong.
      if (index.definition.find('\'') == std::string::npos) continue;
      const std::string redacted = redact_predicate(index.definition, key);
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
        all_known = all_known && table_values.count(literal) > 0;
        at = end + 1;
      }
      index.definition = all_known ? redacted : "";
    }
  }
  snapshot.redacted = true;
}

}  // namespace pgshape
