// A column's distinct values with their exact counts over a table's rows,
// read from its distribution without generating rows: what a composite key
// built by pairing (pgshape/pairs.hpp) lays out, and what validation checks
// the key's domain with, so both see the same numbers.
#pragma once

#include <cstdint>
#include <functional>
#include <optional>
#include <vector>

#include "pgshape/profile.hpp"

namespace pgshape {

// Distinct values, most frequent first, with exact counts that sum to the
// rows asked for; keys[k] names value k for whoever makes it.
struct ValueCounts {
  std::vector<int64_t> counts;  // descending, none 0
  std::vector<uint64_t> keys;
};

// The largest number of ranks a domain walks one by one: beyond it (a zipf
// over far more values than rows) the pairing samples rows.
int64_t counts_rank_limit(int64_t rows);

// Counts over `rows` rows for ranks 0..ranks-1 whose shares share(k) are
// given in rank order (not necessarily normalised): quantile rounding,
// count(k) = round(rows * F(k)) - round(rows * F(k - 1)), so every prefix
// of the ranks holds its share of the rows within one row (the column's
// distribution function kept, tails included, where largest remainders would
// drop a long tail of small shares). Keys are the ranks. Two passes over the
// ranks (one with `total`); nullopt past counts_rank_limit.
// `total`, when the caller knows the shares' sum, saves the first pass.
std::optional<ValueCounts> quantile_counts(uint64_t ranks, int64_t rows,
                                           const std::function<double(uint64_t)>& share,
                                           std::optional<long double> total = std::nullopt);

// H(n, s) = sum of k^-s for k in [1, n]: the first 2^16 terms summed, the
// rest by Euler-Maclaurin (relative error far below a row in 2^53).
long double zipf_total(int64_t n, double s);

// `rows` values spread evenly over `span` equally likely ones (span >= rows):
// one row each, key i at floor((i + 1/2) * span / rows).
ValueCounts even_counts(uint64_t span, int64_t rows);

// Sorts a domain's values by count, descending; equal counts keep key order.
void sort_counts(ValueCounts& d);

// Zipf and hot-set ranks (keys: 0-based ranks) as the generator weighs them:
// the hot ranks `share` evenly, the rest zipf over n - hot; nullopt for other
// kinds or past counts_rank_limit.
std::optional<ValueCounts> skewed_rank_counts(const Distribution& d, int64_t rows);

// Weighted values (keys: the value's index): each the floor of its share of
// the rows, the rows left over to the largest remainders (ties to the earlier
// value), as a weighted column's quotas; nullopt without a positive weight.
std::optional<ValueCounts> weighted_counts(const Distribution& d, int64_t rows);

// `span` equally likely integers (keys: offsets from the first): even counts,
// or `rows` values spread over the span when it holds more than the rows.
ValueCounts uniform_counts(uint64_t span, int64_t rows);

}  // namespace pgshape
