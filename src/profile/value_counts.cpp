// Value counts read from distributions (pgshape/value_counts.hpp).
#include "pgshape/value_counts.hpp"

#include <algorithm>
#include <cmath>
#include <map>
#include <numeric>
#include <utility>

namespace pgshape {

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
  const long double integral =
      s == 1 ? std::log(b / a) : (std::pow(b, 1 - ls) - std::pow(a, 1 - ls)) / (1 - ls);
  const auto f = [&](long double x) { return std::pow(x, -ls); };
  const auto df = [&](long double x) { return -ls * std::pow(x, -ls - 1); };
  return h + integral + (f(b) - f(a)) / 2 + (df(b) - df(a)) / 12;
}

std::optional<ValueCounts> quantile_counts(uint64_t ranks, int64_t rows,
                                           const std::function<double(uint64_t)>& share,
                                           std::optional<long double> known) {
  if (ranks == 0 || rows <= 0 || ranks > static_cast<uint64_t>(counts_rank_limit(rows)))
    return std::nullopt;
  long double total = 0;
  if (known) {
    total = *known;
  } else {
    for (uint64_t k = 0; k < ranks; ++k) total += std::max(0.0, share(k));
  }
  if (!(total > 0)) return std::nullopt;
  ValueCounts d;
  const auto most = static_cast<size_t>(std::min<uint64_t>(ranks, static_cast<uint64_t>(rows)));
  d.counts.reserve(most);
  d.keys.reserve(most);
  long double cum = 0;
  int64_t given = 0;
  const long double scale = static_cast<long double>(rows) / total;
  for (uint64_t k = 0; k < ranks && given < rows; ++k) {
    cum += std::max(0.0, share(k));
    // A known total may differ from the sum in its last bits: the last rank takes what is left.
    const int64_t upto =
        k + 1 == ranks
            ? rows
            : std::min<int64_t>(rows, static_cast<int64_t>(static_cast<double>(cum * scale) + 0.5));
    if (upto > given) {
      d.counts.push_back(upto - given);
      d.keys.push_back(k);
      given = upto;
    }
  }
  sort_counts(d);
  return d;
}

ValueCounts even_counts(uint64_t span, int64_t rows) {
  ValueCounts d;
  const auto n = static_cast<uint64_t>(std::max<int64_t>(rows, 0));
  d.counts.assign(n, 1);
  d.keys.resize(n);
  for (uint64_t i = 0; i < n; ++i)
    d.keys[i] = static_cast<uint64_t>((static_cast<unsigned __int128>(2 * i + 1) * span) / (2 * n));
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
  if ((d.kind != DistKind::kZipf && d.kind != DistKind::kHotset) || d.n < 1) return std::nullopt;
  const int64_t n = d.n;
  const int64_t hot = d.kind == DistKind::kHotset ? std::min(d.hot, n) : 0;
  const double hot_share = hot >= n ? 1.0 : hot > 0 ? d.share : 0.0;
  const double s = d.s;
  if (hot < n && !(s > 0)) return std::nullopt;
  // H(n - hot, s): the zipf part's own total.
  const long double tail = hot < n ? zipf_total(n - hot, s) : 1;
  return quantile_counts(
      static_cast<uint64_t>(n), rows,
      [&](uint64_t k) {
        const auto r = static_cast<int64_t>(k);
        if (r < hot) return hot_share / static_cast<double>(hot);
        const double w = std::pow(static_cast<double>(r - hot + 1), -s);
        return hot > 0 ? static_cast<double>((1 - hot_share) * w / tail) : w;
      },
      hot > 0 ? 1.0L : tail);
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
  for (uint64_t k = 0; k < span; ++k) {
    const auto c = static_cast<int64_t>(n / span + (k < n % span ? 1 : 0));
    if (c > 0) out.counts.push_back(c), out.keys.push_back(k);
  }
  return out;
}

}  // namespace pgshape
