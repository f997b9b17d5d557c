// A column's distinct values with their exact counts over a table's rows,
// read from its distribution without generating rows: what a composite key
// built by pairing (pgshape/pairs.hpp) lays out, and what validation checks
// the key's domain with, so both see the same numbers. Long runs of values
// of one count (a zipf's tail of single rows, integers spread evenly) are
// kept as a rule for their keys, and the many ranks of one count in a zipf's
// head compressed to a few bits a rank, not listed at 16 bytes a value: a
// domain's memory barely grows with the rows.
#pragma once

#include <cmath>
#include <cstdint>
#include <memory>
#include <optional>
#include <vector>

#include "pgshape/profile.hpp"

namespace pgshape {

// The keys of a run of values a domain does not list: key(i) of its i-th value.
class RunKeys {
 public:
  virtual ~RunKeys() = default;
  virtual uint64_t key(uint64_t i) const = 0;
};

// `values` values of `count` rows each, keys by rule (shared: a domain copies cheaply).
struct ValueRun {
  int64_t count = 0;
  uint64_t values = 0;
  std::shared_ptr<const RunKeys> keys;
};

// Distinct values, most frequent first: the listed ones (counts[k], keys[k]),
// then the runs, no run's count above the last listed one's. keys name each
// value for whoever makes it; the counts sum to the rows asked for.
struct ValueCounts {
  std::vector<int64_t> counts;  // descending, none 0; may be dropped once read (keys stay)
  std::vector<uint64_t> keys;

  // The runs after the listed values: counts descending, none 0.
  const std::vector<ValueRun>& runs() const { return runs_; }
  void add_run(ValueRun run);

  uint64_t size() const;  // values in all
  // The key of value `index` (< size()).
  uint64_t key(uint64_t index) const {
    return index < keys.size() ? keys[index] : run_key(index - keys.size());
  }
  // The runs' values appended to the listed ones: O(values), for whoever must
  // order them by value.
  void materialize();

 private:
  uint64_t run_key(uint64_t index) const;  // index past the listed values
  std::vector<ValueRun> runs_;
  std::vector<uint64_t> run_ends_;  // values in runs_[0..r], for a binary search by index
};

// A count and how many values in a row have it.
struct CountRun {
  int64_t count = 0;
  uint64_t values = 0;
};
// Consecutive equal counts as one run.
std::vector<CountRun> count_runs(const std::vector<int64_t>& counts);
std::vector<CountRun> count_runs(const ValueCounts& d);

// The largest number of ranks a domain walks one by one: beyond it (hot
// ranks far more than the rows) the pairing samples rows.
int64_t counts_rank_limit(int64_t rows);

// H(n, s) = sum of k^-s for k in [1, n]: the first 2^16 terms summed, the
// rest by Euler-Maclaurin (relative error far below a row in 2^53).
long double zipf_total(int64_t n, double s);

// The point u >= from where the integral of t^-s over [from, u] reaches w:
// W(u) = from^(1-s) expm1((1 - s) ln(u / from)) / (1 - s) inverted, log1p
// keeping s near 1 exact (s = 1: W = ln(u / from)). A zipf's continuous
// distribution function: what places a tail's ranks, and a rank past a table.
class ZipfWeightInverse {
 public:
  ZipfWeightInverse(double from, double s)
      : from_(from), one_minus_s_(1 - s), lead_(std::pow(from, 1 - s)) {}
  double operator()(double w) const {
    const double log_ratio =
        one_minus_s_ == 0 ? w : std::log1p(one_minus_s_ * w / lead_) / one_minus_s_;
    return from_ * std::exp(log_ratio);
  }

 private:
  double from_, one_minus_s_, lead_;
};

// `rows` values spread evenly over `span` equally likely ones (span >= rows):
// one row each, key i at floor((i + 1/2) * span / rows).
ValueCounts even_counts(uint64_t span, int64_t rows);

// Sorts a domain's listed values by count, descending; equal counts keep key order.
void sort_counts(ValueCounts& d);

// Zipf and hot-set ranks (keys: 0-based ranks) as the generator weighs them:
// the hot ranks `share` evenly, the rest zipf over n - hot. Quantile
// rounding, count(k) = round(rows * F(k)) - round(rows * F(k - 1)), so every
// prefix of the ranks holds its share of the rows within one row (tails
// kept, where largest remainders would drop a long tail of small shares),
// up to the first rank whose share is below a row; the ranks after it share
// the rows left one each, spread by the inverse of the zipf's continuous
// distribution function, so they cost no memory however many there are.
// The head's values of one count are a run too when there are many of them
// (a small s over about as many ranks as rows gives every rank a row or two),
// their ranks in Elias-Fano form: a few bits a rank, not a list.
// nullopt for other kinds, when the ranks walked pass counts_rank_limit or
// the hot ranks alone do.
std::optional<ValueCounts> skewed_rank_counts(const Distribution& d, int64_t rows);

// Weighted values (keys: the value's index): each the floor of its share of
// the rows, the rows left over to the largest remainders (ties to the earlier
// value), as a weighted column's quotas; nullopt without a positive weight.
std::optional<ValueCounts> weighted_counts(const Distribution& d, int64_t rows);

// `span` equally likely integers (keys: offsets from the first): even counts,
// or `rows` values spread over the span when it holds more than the rows.
ValueCounts uniform_counts(uint64_t span, int64_t rows);

}  // namespace pgshape
