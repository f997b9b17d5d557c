// The util module: small pure helpers every layer may use — calendar
// arithmetic in PostgreSQL's own epoch (2000-01-01), shared by the profile
// parser (reading bounds) and the encoders (writing values), "did you mean",
// counted nouns for messages, terminal column widths of UTF-8 text, a SQL statement splitter that
// lexes like PostgreSQL, and a JSON depth bound.
#pragma once

#include <cstdint>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

namespace pgshape {

inline constexpr int64_t kMicrosPerDay = 86'400'000'000LL;

// Days from 1970-01-01 to y-m-d (proleptic Gregorian; H. Hinnant's algorithm).
constexpr int64_t days_from_civil(int64_t y, unsigned m, unsigned d) {
  y -= m <= 2;
  const int64_t era = (y >= 0 ? y : y - 399) / 400;
  const unsigned yoe = static_cast<unsigned>(y - era * 400);
  const unsigned doy = (153 * (m > 2 ? m - 3 : m + 9) + 2) / 5 + d - 1;
  const unsigned doe = yoe * 365 + yoe / 4 - yoe / 100 + doy;
  return era * 146097 + static_cast<int64_t>(doe) - 719468;
}

struct CivilDate {
  int64_t year;
  unsigned month;
  unsigned day;
};

constexpr CivilDate civil_from_days(int64_t z) {
  z += 719468;
  const int64_t era = (z >= 0 ? z : z - 146096) / 146097;
  const unsigned doe = static_cast<unsigned>(z - era * 146097);
  const unsigned yoe = (doe - doe / 1460 + doe / 36524 - doe / 146096) / 365;
  const int64_t y = static_cast<int64_t>(yoe) + era * 400;
  const unsigned doy = doe - (365 * yoe + yoe / 4 - yoe / 100);
  const unsigned mp = (5 * doy + 2) / 153;
  const unsigned d = doy - (153 * mp + 2) / 5 + 1;
  const unsigned m = mp < 10 ? mp + 3 : mp - 9;
  return {y + (m <= 2), m, d};
}

inline constexpr int64_t kPgEpochDays = days_from_civil(2000, 1, 1);  // from 1970

// "YYYY-MM-DD" -> days since 2000-01-01.
std::optional<int64_t> parse_pg_date(std::string_view text);
// "YYYY-MM-DD[ T]HH:MM[:SS[.ffffff]][Z|+HH[:MM]|-HH[:MM]]" or a date -> microseconds
// since 2000-01-01 00:00 UTC. A time without an offset is read as UTC.
std::optional<int64_t> parse_pg_timestamp(std::string_view text);
// Durations for jitter and the like: "90s", "15m", "3h", "2d", "1w" -> microseconds.
std::optional<int64_t> parse_duration(std::string_view text);

// The closest of `candidates` to `word` within a small edit distance, or "".
std::string closest_match(std::string_view word, const std::vector<std::string_view>& candidates);

// ---------------------------------------------------------------------------
// SQL text as PostgreSQL's lexer cuts it into statements: '...' strings ('' inside),
// E'...' strings (backslash escapes), "..." identifiers, $tag$...$tag$ bodies,
// -- and (nested) /* */ comments. Standard strings are read with
// standard_conforming_strings = on (the default since PostgreSQL 9.1); where a
// server with it off would read further, the splitter cuts earlier or reports an
// unterminated string, never the other way round. Callers that run the pieces
// still send each one with the extended protocol, which refuses a second statement.

// One statement of a script: its text without the ';' and surrounding blanks and
// comments, and where that text starts in the script (a byte offset).
struct SqlStatement {
  std::string_view text;  // a view into the scanned script
  size_t offset = 0;
  // Parentheses outside quotes and comments never close more than they opened and
  // are all closed at the end: what a fragment spliced into "(...)" needs.
  bool balanced_parens = true;
  // The highest $n placeholder outside quotes and comments (capped at 100000), 0
  // when there is none: how many parameters a PREPARE of the statement takes.
  int max_param = 0;
};

struct SqlScan {
  std::vector<SqlStatement> statements;  // empty statements (";;", comments only) are dropped
  std::string error;                     // "" or what is unterminated ("a quoted string", ...)
  size_t error_offset = 0;               // where the unterminated thing starts
};

// Splits `sql` at the ';' that end statements. The views point into `sql`.
SqlScan scan_sql(std::string_view sql);

// When `statement` (one piece from scan_sql) ends, opens or changes the transaction
// block it runs in — BEGIN, START TRANSACTION, COMMIT, END, ROLLBACK, ABORT,
// SAVEPOINT, RELEASE, PREPARE TRANSACTION, COMMIT/ROLLBACK PREPARED — its leading
// keywords in upper case ("ROLLBACK TO"); else "". CALL and DO are not: inside a
// transaction block PostgreSQL refuses a procedure's COMMIT ("invalid transaction
// termination"), so they cannot end the transaction they run in.
std::string transaction_control(std::string_view statement);

// 1-based line and column (in characters) of byte `offset` of `text`.
struct TextPos {
  int line = 1;
  int column = 1;
};
TextPos text_position(std::string_view text, size_t offset);

// ---------------------------------------------------------------------------
// JSON from files is parsed by nlohmann::json, whose values are destroyed and
// copied recursively: 150,000 nested '[' overflow the stack. Files are checked
// with this pre-scan before parsing.

// The nesting depth no JSON pgshape reads may exceed: EXPLAIN nests two levels
// a plan node ("Plans": [{...}]), so this allows plans 500 nodes deep.
inline constexpr size_t kMaxJsonDepth = 1000;

// The byte offset of the first '[' or '{' (outside strings) that nests deeper
// than `max_depth`, or nullopt when the text stays within it.
std::optional<size_t> json_too_deep(std::string_view text, size_t max_depth = kMaxJsonDepth);

// "1 run", "5 runs"; `many` defaults to `one` + "s" ("1 query", "2 queries" needs it).
std::string plural(long long count, std::string_view one, std::string_view many = {});

// Terminal columns of UTF-8 text, one per code point: every character pgshape
// prints ("→", "×", "…") takes one column.
size_t display_width(std::string_view s);
// The first `width` columns of `s`, "…" as the last one when something was cut.
std::string cut_to_width(std::string_view s, size_t width);
// `s` padded with spaces to `width` columns (unchanged when wider).
std::string pad_to_width(std::string_view s, size_t width);

}  // namespace pgshape
