// Value counts read from distributions (pgshape/value_counts.hpp).
#include "pgshape/value_counts.hpp"

#include <algorithm>
#include <cmath>
#include <map>
#include <numeric>
#include <utility>

#include "pgshape/error.hpp"
#include "profile/elias_fano.hpp"

namespace pgshape {

namespace {

// Keys first + floor((i + 1/2) * span / n): n values spread over span keys (span >= n).
class SpreadKeys : public RunKeys {
 public:
  SpreadKeys(uint64_t first, uint64_t span, uint64_t n) : first_(first), span_(span), n_(n) {}
  uint64_t key(uint64_t i) const override {
    if (span_ == n_) return first_ + i;
    return first_ +
           static_cast<uint64_t>((static_cast<unsigned __int128>(2 * i + 1) * span_) / (2 * n_));
  }

 private:
  uint64_t first_, span_, n_;
};

// A zipf's tail from rank `first` on, where no rank's share reaches a row:
// the rows left, one per value, placed at the quantiles of the tail's
// continuous weight u^-s (u = rank - hot + 1, each rank the interval
// [u - 1/2, u + 1/2)). The i-th row's quantile is (i + 1/2) / m of the
// tail's weight; with fewer rows than ranks at every point (the density
// checked where it is highest, at the tail's start) consecutive quantiles
// lie more than one rank apart, so the ranks are distinct and ascending.
class ZipfTailKeys : public RunKeys {
 public:
  ZipfTailKeys(uint64_t first, uint64_t last, int64_t hot, double start, double s, double step)
      : first_(first), last_(last), hot_(hot), position_(start, s), step_(step) {}
  uint64_t key(uint64_t i) const override {
    const double u = position_((static_cast<double>(i) + 0.5) * step_);
    const double rank = std::floor(u + 0.5) + static_cast<double>(hot_ - 1);
    if (!(rank > static_cast<double>(first_))) return first_;
    return std::min(last_, static_cast<uint64_t>(rank));
  }

 private:
  uint64_t first_, last_;
  int64_t hot_;
  ZipfWeightInverse position_;  // from the tail's start
  double step_;
};

// The run of `rows` single rows over ranks [first, n) of a zipf (s) that
// starts after `hot` ranks; nullopt when some rank would need more than one row.
std::optional<ValueRun> zipf_tail(int64_t first, int64_t n, int64_t hot, double s, int64_t rows) {
  if (rows <= 0 || rows > n - first) return std::nullopt;
  const double start = static_cast<double>(first - hot) + 0.5;
  const double end = static_cast<double>(n - hot) + 0.5;
  const double log_span = std::log(end / start);
  const double weight =
      s == 1 ? log_span : std::pow(start, 1 - s) * std::expm1((1 - s) * log_span) / (1 - s);
  // Rows per rank where it is highest; the margin covers rounding in the inverse.
  const double density = static_cast<double>(rows) * std::pow(start, -s) / weight;
  if (!(density <= 0.98)) return std::nullopt;
  const double step = weight / static_cast<double>(rows);
  return ValueRun{
      1, static_cast<uint64_t>(rows),
      std::make_shared<ZipfTailKeys>(static_cast<uint64_t>(first), static_cast<uint64_t>(n - 1),
                                     hot, start, s, step)};
}

// The ranks of a zipf's head that get one count of rows: how many, the last,
// and (second pass) the ranks themselves.
struct CountClass {
  uint64_t values = 0;
  uint64_t last = 0;
  std::shared_ptr<EliasFanoKeys> keys;
};

// Count classes by count: small counts (nearly every rank) in a vector, the
// few large ones in a map.
class CountClasses {
 public:
  CountClass& of(int64_t count) {
    if (count < kDirect) {
      if (static_cast<size_t>(count) >= small_.size())
        small_.resize(static_cast<size_t>(count) + 1);
      return small_[static_cast<size_t>(count)];
    }
    return large_[count];
  }
  // The largest count held by at least `values` ranks; 0 when none is.
  int64_t largest_with(uint64_t values) const {
    for (auto it = large_.rbegin(); it != large_.rend(); ++it)
      if (it->second.values >= values) return it->first;
    for (size_t c = small_.size(); c-- > 1;)
      if (small_[c].values >= values) return static_cast<int64_t>(c);
    return 0;
  }
  template <class Visit>
  void for_each_descending(const Visit& visit) {
    for (auto it = large_.rbegin(); it != large_.rend(); ++it)
      if (it->second.values > 0) visit(it->first, it->second);
    for (size_t c = small_.size(); c-- > 1;)
      if (small_[c].values > 0) visit(static_cast<int64_t>(c), small_[c]);
  }

 private:
  static constexpr int64_t kDirect = 4096;
  std::vector<CountClass> small_;
  std::map<int64_t, CountClass> large_;
};

// Ranks of one count kept as a run from this many on: below it a run's own
// cost (a few hundred bytes) passes a list's 16 bytes a value.
constexpr uint64_t kRunValues = 32;

}  // namespace

void ValueCounts::add_run(ValueRun run) {
  if (run.values == 0) return;
  run_ends_.push_back((run_ends_.empty() ? 0 : run_ends_.back()) + run.values);
  runs_.push_back(std::move(run));
}

uint64_t ValueCounts::size() const {
  return keys.size() + (run_ends_.empty() ? 0 : run_ends_.back());
}

uint64_t ValueCounts::run_key(uint64_t index) const {
  // A zipf's head gives a run per count: hundreds of them, found by halving.
  const auto end = std::upper_bound(run_ends_.begin(), run_ends_.end(), index);
  if (end == run_ends_.end()) throw InternalError("a value index past its domain");
  const auto r = static_cast<size_t>(end - run_ends_.begin());
  return runs_[r].keys->key(index - (r == 0 ? 0 : run_ends_[r - 1]));
}

void ValueCounts::materialize() {
  const uint64_t n = size();
  counts.reserve(static_cast<size_t>(n));
  keys.reserve(static_cast<size_t>(n));
  for (const ValueRun& r : runs_)
    for (uint64_t i = 0; i < r.values; ++i) {
      counts.push_back(r.count);
      keys.push_back(r.keys->key(i));
    }
  runs_.clear();
  run_ends_.clear();
}

std::vector<CountRun> count_runs(const std::vector<int64_t>& counts) {
  std::vector<CountRun> out;
  for (int64_t c : counts) {
    if (out.empty() || out.back().count != c) out.push_back({c, 0});
    ++out.back().values;
  }
  return out;
}

std::vector<CountRun> count_runs(const ValueCounts& d) {
  std::vector<CountRun> out = count_runs(d.counts);
  for (const ValueRun& r : d.runs()) {
    if (out.empty() || out.back().count != r.count) out.push_back({r.count, 0});
    out.back().values += r.values;
  }
  return out;
}

int64_t counts_rank_limit(int64_t rows) {
  // Two cheap passes per rank: a domain 16 times the rows costs about what
  // sampling the rows did, and far less memory (only ranks that get rows are kept).
  return std::min<int64_t>(int64_t{1} << 34, 16 * std::max<int64_t>(rows, 0) + (int64_t{1} << 20));
}

long double zipf_total(int64_t n, double s) {
  long double h = 0;
  const int64_t direct = std::min<int64_t>(n, int64_t{1} << 16);
  for (int64_t k = direct; k >= 1; --k) h += std::pow(static_cast<double>(k), -s);
  if (n == direct) return h;
  // sum over (a, b] of f = integral + (f(b) - f(a)) / 2 + (f'(b) - f'(a)) / 12, f = x^-s.
  const auto a = static_cast<long double>(direct), b = static_cast<long double>(n);
  const long double ls = s;
  // (b^(1-s) - a^(1-s)) / (1 - s) as a difference cancels near s = 1 (a
  // relative error of 3e-6 at s = 1 + 2e-16: thousands of rows at 10^9);
  // expm1 keeps it exact there.
  const long double log_span = std::log(b / a);
  const long double integral =
      s == 1 ? log_span : std::pow(a, 1 - ls) * std::expm1((1 - ls) * log_span) / (1 - ls);
  const auto f = [&](long double x) { return std::pow(x, -ls); };
  const auto df = [&](long double x) { return -ls * std::pow(x, -ls - 1); };
  return h + integral + (f(b) - f(a)) / 2 + (df(b) - df(a)) / 12;
}

ValueCounts even_counts(uint64_t span, int64_t rows) {
  ValueCounts d;
  const auto n = static_cast<uint64_t>(std::max<int64_t>(rows, 0));
  if (n > 0) d.add_run({1, n, std::make_shared<SpreadKeys>(0, span, n)});
  return d;
}

void sort_counts(ValueCounts& d) {
  if (std::is_sorted(d.counts.begin(), d.counts.end(), std::greater<>())) return;
  // A counting sort by count: the counts take few distinct values (a zipf's
  // tail is all ones), so one map of them and one new vector of keys, the
  // counts rewritten in place; stable, so equal counts keep key order.
  std::map<int64_t, size_t, std::greater<>> at;  // count -> where its values go
  for (int64_t c : d.counts) ++at[c];
  size_t next = 0;
  for (auto& entry : at) next += std::exchange(entry.second, next);
  std::vector<uint64_t> keys(d.keys.size());
  for (size_t i = 0; i < d.counts.size(); ++i) keys[at[d.counts[i]]++] = d.keys[i];
  size_t i = 0;
  for (const auto& entry : at)
    while (i < entry.second) d.counts[i++] = entry.first;
  d.keys = std::move(keys);
}

std::optional<ValueCounts> skewed_rank_counts(const Distribution& d, int64_t rows) {
  if ((d.kind != DistKind::kZipf && d.kind != DistKind::kHotset) || d.n < 1 || rows <= 0)
    return std::nullopt;
  const int64_t n = d.n;
  const int64_t hot = d.kind == DistKind::kHotset ? std::min(d.hot, n) : 0;
  const double hot_share = hot >= n ? 1.0 : hot > 0 ? d.share : 0.0;
  const double s = d.s;
  if (hot < n && !(s > 0)) return std::nullopt;
  // H(n - hot, s): the zipf part's own total; the shares below are normalised
  // when there are hot ranks, the zipf's own weights when not.
  const long double tail = hot < n ? zipf_total(n - hot, s) : 1;
  const long double total = hot > 0 ? 1.0L : tail;
  const auto share = [&](int64_t r) {
    if (r < hot) return hot_share / static_cast<double>(hot);
    const double w = std::pow(static_cast<double>(r - hot + 1), -s);
    return hot > 0 ? static_cast<double>((1 - hot_share) * w / tail) : w;
  };
  const int64_t limit = counts_rank_limit(rows);
  // The hot ranks are walked one by one (no tail rule covers them): more of
  // them than the limit would be walked up to it only to give up there
  // (about 10 s at 10^8 rows), so give up at once, as before the tail rule.
  if (hot > limit) return std::nullopt;
  const long double scale = static_cast<long double>(rows) / total;
  // The ranks that get rows, in rank order, with their counts; the same walk
  // twice (counted, then kept), so that each count's ranks can be kept in the
  // room they need. false when it walks past the limit.
  std::optional<ValueRun> tail_run;
  const auto walk = [&](const auto& emit) {
    tail_run.reset();
    long double cum = 0;
    int64_t given = 0;
    for (int64_t k = 0; k < n && given < rows; ++k) {
      if (k >= limit) return false;
      const double w = std::max(0.0, share(k));
      // Past the last rank a row's share can reach, the rest is one run.
      if (k >= hot && w * scale < 0.9L)
        if ((tail_run = zipf_tail(k, n, hot, s, rows - given))) break;
      cum += w;
      // A known total may differ from the sum in its last bits: the last rank takes what is left.
      const int64_t upto =
          k + 1 == n ? rows
                     : std::min<int64_t>(
                           rows, static_cast<int64_t>(static_cast<double>(cum * scale) + 0.5));
      if (upto > given) {
        emit(k, upto - given);
        given = upto;
      }
    }
    return true;
  };
  CountClasses classes;
  if (!walk([&](int64_t k, int64_t count) {
        CountClass& c = classes.of(count);
        ++c.values;
        c.last = static_cast<uint64_t>(k);
      }))
    return std::nullopt;
  // Counts with many ranks are runs of their own; the few ranks of the
  // counts above the largest such are listed (the top of a zipf: a rank a count).
  const int64_t listed_above = classes.largest_with(kRunValues);
  ValueCounts out;
  walk([&](int64_t k, int64_t count) {
    if (count > listed_above) {
      out.counts.push_back(count);
      out.keys.push_back(static_cast<uint64_t>(k));
      return;
    }
    CountClass& c = classes.of(count);
    if (!c.keys) c.keys = std::make_shared<EliasFanoKeys>(c.values, c.last);
    c.keys->push(static_cast<uint64_t>(k));
  });
  sort_counts(out);
  classes.for_each_descending([&](int64_t count, CountClass& c) {
    if (count > listed_above) return;
    if (!c.keys || c.keys->size() != c.values)
      throw InternalError("a zipf's head walked to other counts the second time");
    out.add_run({count, c.values, std::move(c.keys)});
  });
  if (tail_run) out.add_run(std::move(*tail_run));
  return out;
}

std::optional<ValueCounts> weighted_counts(const Distribution& d, int64_t rows) {
  const size_t n = d.values.size();
  std::vector<long double> weight(n, 0);
  long double total = 0;
  for (size_t i = 0; i < n; ++i) {
    const double w = i < d.weights.size() ? d.weights[i] : 0.0;
    weight[i] = w > 0 ? w : 0;
    total += weight[i];
  }
  if (n == 0 || !(total > 0) || rows <= 0) return std::nullopt;
  std::vector<int64_t> counts(n, 0);
  std::vector<long double> remainder(n, 0);
  int64_t given = 0;
  for (size_t i = 0; i < n; ++i) {
    const long double share = weight[i] / total * static_cast<long double>(rows);
    counts[i] = std::min<int64_t>(rows - given, static_cast<int64_t>(share));
    given += counts[i];
    remainder[i] = share - static_cast<long double>(counts[i]);
  }
  std::vector<size_t> order(n);
  std::iota(order.begin(), order.end(), size_t{0});
  std::stable_sort(order.begin(), order.end(),
                   [&](size_t a, size_t b) { return remainder[a] > remainder[b]; });
  while (given < rows)  // one round but for long double rounding at huge sizes
    for (size_t i : order)
      if (given < rows && weight[i] > 0) ++counts[i], ++given;
  ValueCounts out;
  for (size_t i = 0; i < n; ++i)
    if (counts[i] > 0) out.counts.push_back(counts[i]), out.keys.push_back(i);
  sort_counts(out);
  return out;
}

ValueCounts uniform_counts(uint64_t span, int64_t rows) {
  if (span >= static_cast<uint64_t>(std::max<int64_t>(rows, 0))) return even_counts(span, rows);
  // Fewer values than rows: rows / span each, the rest one more for the first values.
  ValueCounts out;
  const auto n = static_cast<uint64_t>(rows);
  const uint64_t each = n / span, more = n % span;
  if (more > 0)
    out.add_run(
        {static_cast<int64_t>(each + 1), more, std::make_shared<SpreadKeys>(0, more, more)});
  if (each > 0)
    out.add_run({static_cast<int64_t>(each), span - more,
                 std::make_shared<SpreadKeys>(more, span - more, span - more)});
  return out;
}

}  // namespace pgshape
