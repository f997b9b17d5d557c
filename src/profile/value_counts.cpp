// Value counts read from distributions (pgshape/value_counts.hpp).
#include "pgshape/value_counts.hpp"

#include <algorithm>
#include <cmath>
#include <map>
#include <numeric>
#include <utility>

#include "pgshape/error.hpp"

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
      : first_(first),
        last_(last),
        hot_(hot),
        start_(start),
        one_minus_s_(1 - s),
        lead_(std::pow(start, 1 - s)),
        step_(step) {}
  uint64_t key(uint64_t i) const override {
    // W(u) = integral of t^-s over [start, u] = lead * expm1((1 - s) ln(u / start)) / (1 - s),
    // inverted; log1p and expm1 keep s near 1 exact (s = 1: W = ln(u / start)).
    const double w = (static_cast<double>(i) + 0.5) * step_;
    const double log_ratio =
        one_minus_s_ == 0 ? w : std::log1p(one_minus_s_ * w / lead_) / one_minus_s_;
    const double u = start_ * std::exp(log_ratio);
    const double rank = std::floor(u + 0.5) + static_cast<double>(hot_ - 1);
    if (!(rank > static_cast<double>(first_))) return first_;
    return std::min(last_, static_cast<uint64_t>(rank));
  }

 private:
  uint64_t first_, last_;
  int64_t hot_;
  double start_, one_minus_s_, lead_, step_;
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

}  // namespace

uint64_t ValueCounts::size() const {
  uint64_t n = keys.size();
  for (const ValueRun& r : runs) n += r.values;
  return n;
}

uint64_t ValueCounts::run_key(uint64_t index) const {
  for (const ValueRun& r : runs) {
    if (index < r.values) return r.keys->key(index);
    index -= r.values;
  }
  throw InternalError("a value index past its domain");
}

void ValueCounts::materialize() {
  const uint64_t n = size();
  counts.reserve(static_cast<size_t>(n));
  keys.reserve(static_cast<size_t>(n));
  for (const ValueRun& r : runs)
    for (uint64_t i = 0; i < r.values; ++i) {
      counts.push_back(r.count);
      keys.push_back(r.keys->key(i));
    }
  runs.clear();
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
  for (const ValueRun& r : d.runs) {
    if (r.values == 0) continue;
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
  if (n > 0) d.runs.push_back({1, n, std::make_shared<SpreadKeys>(0, span, n)});
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
  ValueCounts out;
  long double cum = 0;
  int64_t given = 0;
  const long double scale = static_cast<long double>(rows) / total;
  for (int64_t k = 0; k < n && given < rows; ++k) {
    if (k >= limit) return std::nullopt;
    const double w = std::max(0.0, share(k));
    // Past the last rank a row's share can reach, the rest is one run.
    if (k >= hot && w * scale < 0.9L)
      if (std::optional<ValueRun> run = zipf_tail(k, n, hot, s, rows - given)) {
        out.runs.push_back(std::move(*run));
        break;
      }
    cum += w;
    // A known total may differ from the sum in its last bits: the last rank takes what is left.
    const int64_t upto =
        k + 1 == n
            ? rows
            : std::min<int64_t>(rows, static_cast<int64_t>(static_cast<double>(cum * scale) + 0.5));
    if (upto > given) {
      out.counts.push_back(upto - given);
      out.keys.push_back(static_cast<uint64_t>(k));
      given = upto;
    }
  }
  sort_counts(out);
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
    out.runs.push_back(
        {static_cast<int64_t>(each + 1), more, std::make_shared<SpreadKeys>(0, more, more)});
  if (each > 0)
    out.runs.push_back({static_cast<int64_t>(each), span - more,
                        std::make_shared<SpreadKeys>(more, span - more, span - more)});
  return out;
}

}  // namespace pgshape
