// A CHECK of LIKE or regex form (`VALUE ~~ '%_@_%'`, `code ~ '^[A-Z]{3}$'`) as a
// dist: pattern whose every value passes it, so such a column is generated with
// production's distinct count instead of drawn from pg_stats' ~100 sampled
// values. Only forms that can be proven inside are translated: LIKE/ILIKE with
// literals, _ and %; regexes of literals, [A-Z] [0-9] [A-Z0-9] \d classes, {n}
// counts and + (taken once). Anything else is nullopt (the sampled fallback).
#pragma once

#include <optional>
#include <string>
#include <vector>

namespace pgshape {

// `expr` is the CHECK's expression as pg_get_constraintdef prints it (outer
// parentheses kept or not), `subject` the column as it prints (VALUE in a
// domain). `max_chars`: the column's length limit, 0 for none.
std::optional<std::string> check_pattern(const std::string& expr, const std::string& subject,
                                         int max_chars);

// A domain's CHECKs: a pattern when exactly one of them is of a pattern form and
// the others are IS NOT NULL; nullopt otherwise.
std::optional<std::string> domain_pattern(const std::vector<std::string>& checks, int max_chars);

}  // namespace pgshape
