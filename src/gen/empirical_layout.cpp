// Where each row's position lands: the MCV, histogram-bucket and NULL segments
// in value order, each exactly its share of the positions, and how many distinct
// values each bucket holds so that ANALYZE reports the source's n_distinct again
// (the model is described in empirical.cpp).
#include <algorithm>
#include <cmath>
#include <map>
#include <numeric>

#include "gen/empirical.hpp"
#include "pgshape/util.hpp"

namespace pgshape::gen {
namespace {

// Rows ANALYZE samples at the default statistics target (300 x 100).
constexpr double kAnalyzeSample = 30000;

// Rows a bucket's values must average before its bounds share them with the
// buckets beside (plan_shares): half of a value is then at least a row.
constexpr double kSplitRows = 2;

// Bytes PostgreSQL stores for a short varlena of `chars` bytes (1-byte header up
// to 126 bytes, else 4); what pg_stats.avg_width measures.
double stored_width(size_t bytes) {
  return static_cast<double>(bytes) + (bytes <= 126 ? 1 : 4);
}

}  // namespace

double Empirical::slot_scale() const {
  double unit = 0;
  if (type_.is_integer() || type_.kind == PgType::kDate) unit = 1;
  if (type_.is_fractional() && type_.precision > 0) unit = std::pow(10.0, type_.scale);
  for (double b : bounds_)
    if (!(std::fabs(b) * unit < 0x1p50)) return 0;
  return unit;
}

void Empirical::plan_buckets(const Distribution& d, const std::vector<double>& freqs, double rest,
                             double distinct) {
  const size_t count = bucket_count();
  if (count == 0) return;
  const double n = static_cast<double>(rows_);
  const double non_null = non_null_;
  unit_ = slot_scale();
  const double unit = unit_;
  // The source's sample saw about min(rows, 30,000) rows; its extremes are the
  // first and last bounds, and 1 / (sampled rows + 1) of the mass lies beyond
  // each (order statistics). Numbers only: text has no width to extend by.
  double tail = 0;
  if (numeric_ && n > kAnalyzeSample) tail = 1 / (kAnalyzeSample * rest + 1);
  const double inner = rest * (1 - 2 * tail) / static_cast<double>(count);
  for (size_t b = 0; b < count; ++b) {
    Bucket k;
    k.lo = bounds_[b];
    k.hi = bounds_[b + 1];
    k.mass = inner;
    k.last = b + 1 == count;
    k.text = b;
    buckets_.push_back(k);
  }
  if (tail > 0) {
    double lo_limit = type_.is_integer() ? static_cast<double>(type_.integer_min()) : -1e300;
    double hi_limit = type_.is_integer() ? static_cast<double>(type_.integer_max()) : 1e300;
    if (type_.kind == PgType::kDate) {  // 4713 BC .. 5874897 AD, in days from 2000
      lo_limit = -2451544, hi_limit = 2145031948;
    } else if (type_.is_temporal()) {  // 4713 BC .. 294276 AD, in microseconds
      lo_limit = -2.1e17, hi_limit = 9.2e18;
    }
    if (type_.is_fractional() && type_.precision > 0) {  // numeric(p,s): |v| < 10^(p-s)
      hi_limit = std::pow(10.0, type_.precision - type_.scale) - 1 / unit;
      lo_limit = -hi_limit;
    }
    // A tail as wide as the bucket next to it, not across zero (sizes, counts
    // and amounts stay positive) nor the type's limits.
    const Bucket& first = buckets_.front();
    double lo = first.lo - (first.hi - first.lo);
    if (first.lo >= 0) lo = std::max(lo, 0.0);
    lo = std::max(lo, lo_limit);
    const Bucket& last = buckets_.back();
    double hi = std::min(last.hi + (last.hi - last.lo), hi_limit);
    if (lo < first.lo) {
      Bucket t;
      t.lo = lo, t.hi = first.lo, t.mass = rest * tail, t.tail = true;
      buckets_.insert(buckets_.begin(), t);
    }
    if (hi > buckets_.back().hi) {
      buckets_.back().last = false;
      Bucket t;
      t.lo = buckets_.back().hi, t.hi = hi, t.mass = rest * tail, t.tail = true, t.last = true;
      buckets_.push_back(t);
    }
  }
  // Capacity: integers between the bounds (less the MCVs among them), and rows.
  std::vector<int64_t> mcv_ints;
  if (unit > 0)
    for (const auto& a : atoms_)
      if (a.kind != Datum::Kind::kNull) mcv_ints.push_back(std::llround(number_of(a) * unit));
  std::sort(mcv_ints.begin(), mcv_ints.end());
  std::vector<double> caps;
  for (auto& k : buckets_) {
    const double rows_in = k.mass * n * non_null;
    double cap = std::max(1.0, std::floor(rows_in + 1e-9));
    // A bound repeated holds one value whatever the type; microseconds hold no
    // more values than there are between the bounds.
    k.point = text_ ? bounds_text_[k.text] == bounds_text_[k.text + 1] : k.lo == k.hi;
    if (k.point) cap = 1;
    if (numeric_ && unit <= 0 && !type_.is_fractional())
      cap = std::min(cap, std::max(1.0, k.hi - k.lo + (k.last ? 1 : 0)));
    if (unit > 0) {
      const int64_t lo = std::llround(k.lo * unit), hi = std::llround(k.hi * unit);
      const int64_t end = hi + (k.last ? 1 : 0);  // [lo, end)
      for (auto it = std::lower_bound(mcv_ints.begin(), mcv_ints.end(), lo);
           it != mcv_ints.end() && *it < end; ++it)
        if (*it != lo) k.skip.push_back(*it);
      k.slots = std::max(1.0, static_cast<double>(end - lo) - static_cast<double>(k.skip.size()));
      cap = std::min(cap, k.slots);
    }
    caps.push_back(cap);
  }
  // Unknown n_distinct: as many as the buckets hold.
  double level = *std::max_element(caps.begin(), caps.end());
  if (d.n_distinct != 0) {
    double lo = 0, hi = level;
    for (int i = 0; i < 60; ++i) {
      const double mid = (lo + hi) / 2;
      (predicted_distinct(freqs, caps, mid) < distinct ? lo : hi) = mid;
    }
    level = hi;
  }
  std::vector<double> values(buckets_.size());
  for (size_t b = 0; b < buckets_.size(); ++b) {
    Bucket& k = buckets_[b];
    k.distinct = static_cast<uint64_t>(std::clamp(std::round(level), 1.0, caps[b]));
    values[b] = static_cast<double>(k.distinct);
    for (uint64_t span = 1; span < k.distinct; span *= 26) ++k.code_digits;
  }
  const auto shares = plan_shares(values);
  for (size_t b = 0; b < buckets_.size(); ++b) buckets_[b].shares = shares[b];
}

std::vector<Empirical::Shares> Empirical::plan_shares(const std::vector<double>& distinct) const {
  std::vector<Shares> out(buckets_.size());
  size_t first_real = buckets_.size(), last_real = 0;
  for (size_t b = 0; b < buckets_.size(); ++b)
    if (!buckets_[b].tail) first_real = std::min(first_real, b), last_real = b;
  // A bound between two buckets is a value of both: the bucket below passes the
  // part of its rows that fall on its upper bound to the bucket above, whose
  // first value that bound is.
  const double rows = static_cast<double>(rows_) * non_null_;
  double carry = 0;
  for (size_t b = 0; b < buckets_.size(); ++b) {
    const Bucket& k = buckets_[b];
    const double d = std::max(1.0, distinct[b]);
    Shares& s = out[b];
    if (k.tail) {  // the model's own mass past the bounds, even over its values
      s.inner = k.mass / d;
      s.first = carry + s.inner;
      s.top = k.last && d > 1 ? s.inner : 0;
      s.segment = carry + k.mass;
      carry = 0;
      continue;
    }
    if (k.last && d < 2) {  // closed on one value
      s.first = s.segment = carry + k.mass;
      carry = 0;
      continue;
    }
    // The bucket's rows lie between its bounds' quantiles, the bounds' own
    // sampled rows in the middle of their values' runs: a value inside gets a
    // full share, each bound half of one, except the first and last bounds
    // (the sample's extremes, all of whose rows lie inside the histogram). A
    // value of a row or so cannot be halved: such a bucket keeps its rows on
    // its own values, one each, as a near-unique column needs.
    const bool split = k.mass * rows / d >= kSplitRows;
    const double below = b == first_real || !split ? 1 : 0.5;
    const double above = k.last ? 1 : !split ? 0 : b == last_real ? 1 : 0.5;
    const double between = d - (k.last ? 2 : 1);
    s.inner = k.mass / (below + between + above);
    s.first = carry + below * s.inner;
    s.top = k.last ? above * s.inner : 0;
    carry = k.last ? 0 : above * s.inner;
    s.segment = s.first + between * s.inner + s.top;
  }
  return out;
}

double Empirical::share_below(const Bucket& k, uint64_t j) const {
  const Shares& s = k.shares;
  if (j == 0 || s.segment <= 0) return 0;
  if (j >= k.distinct) return 1;
  return std::min(1.0, (s.first + static_cast<double>(j - 1) * s.inner) / s.segment);
}

uint64_t Empirical::values_below(size_t b, double x) const {
  std::string scratch;
  uint64_t lo = 0, hi = buckets_[b].distinct;  // the answer is in [lo, hi]
  while (lo < hi) {
    const uint64_t mid = lo + (hi - lo) / 2;
    if (number_of(bucket_value(b, mid, scratch)) < x)
      lo = mid + 1;
    else
      hi = mid;
  }
  return lo;
}

double Empirical::predicted_distinct(const std::vector<double>& freqs,
                                     const std::vector<double>& caps, double level) const {
  const double n = static_cast<double>(rows_);
  const double non_null = non_null_;
  const double s = std::min(1.0, kAnalyzeSample / n);
  double d = 0, f1 = 0, all = 0;
  auto add = [&](double values, double count) {
    if (values <= 0 || count <= 0) return;
    all += values;
    if (s >= 1) {
      d += values;
      if (count < 1.5) f1 += values;
      return;
    }
    d += values * (1 - std::pow(1 - s, count));
    f1 += values * count * s * std::pow(1 - s, count - 1);
  };
  for (double f : freqs) add(1, f * n * non_null);
  std::vector<double> values(buckets_.size());
  for (size_t b = 0; b < buckets_.size(); ++b)
    values[b] = std::clamp(std::round(level), 1.0, caps[b]);
  const auto shares = plan_shares(values);
  const double rows = n * non_null;
  double repeated = 0;  // a repeated bound's rows: the same value as the next bucket's first
  for (size_t b = 0; b < buckets_.size(); ++b) {
    const Shares& sh = shares[b];
    const double first = repeated + sh.first;
    repeated = 0;
    if (buckets_[b].point && !buckets_[b].last) {
      repeated = first;
      continue;
    }
    add(1, first * rows);
    add(values[b] - 1 - (sh.top > 0 ? 1 : 0), sh.inner * rows);
    if (sh.top > 0) add(1, sh.top * rows);
  }
  if (s >= 1) return all;
  if (d - f1 < 0.5) return n * non_null;  // no repeats: ANALYZE calls it unique
  const double sample = kAnalyzeSample;
  const double estimate = sample * d / (sample - f1 + f1 * sample / n);
  return std::clamp(estimate, d, n * non_null);
}

void Empirical::build_segments(const std::vector<double>& freqs) {
  struct Item {
    SegKind kind;
    size_t index;
    double mass;
  };
  // Buckets keep the histogram's order (the source's collation sorted it);
  // an atom goes before the first bucket whose lower bound is above it, or
  // into the bucket whose bounds it lies between.
  std::vector<Item> atoms;
  for (size_t i = 0; i < atoms_.size(); ++i)
    if (freqs[i] > 0) atoms.push_back({SegKind::kAtom, i, freqs[i]});
  auto atom_less = [&](const Item& a, const Item& b) {
    if (atom_order_.size() == atoms_.size()) return atom_order_[a.index] < atom_order_[b.index];
    if (numeric_) return number_of(atoms_[a.index]) < number_of(atoms_[b.index]);
    return atom_text_[a.index] < atom_text_[b.index];
  };
  std::stable_sort(atoms.begin(), atoms.end(), atom_less);
  auto value_of = [&](const Item& atom) { return number_of(atoms_[atom.index]); };
  auto above = [&](const Item& atom, const Bucket& k) {  // the bucket starts above the atom
    if (numeric_) return k.lo >= value_of(atom);
    if (text_ && !bounds_text_.empty()) return bounds_text_[k.text] >= atom_text_[atom.index];
    return false;
  };
  auto inside = [&](const Item& atom, const Bucket& k) {  // strictly between its bounds
    if (numeric_) return value_of(atom) < k.hi;
    if (text_ && !bounds_text_.empty()) return atom_text_[atom.index] < bounds_text_[k.text + 1];
    return false;
  };
  double sum = 0;
  const double non_null = 1 - null_share_;
  auto emit = [&](SegKind kind, size_t index, double mass, double from, double to) {
    sum += mass * non_null;
    segments_.push_back({kind, index, from, to});
    cum_.push_back(sum);
  };
  size_t a = 0;
  for (size_t b = 0; b < buckets_.size(); ++b) {
    const Bucket& k = buckets_[b];
    while (a < atoms.size() && above(atoms[a], k))
      emit(SegKind::kAtom, atoms[a].index, atoms[a].mass, 0, 1), ++a;
    // MCVs between the bounds: the bucket's values below each come before it.
    std::vector<const Item*> within;
    while (a < atoms.size() && inside(atoms[a], k)) within.push_back(&atoms[a++]);
    // The cut: the share of the bucket's values that sort below the MCV (text:
    // evenly, its synthesised values keep no order against the MCV's).
    double from = 0;
    for (size_t w = 0; w < within.size(); ++w) {
      uint64_t below = 0;
      if (numeric_) {
        below = values_below(b, value_of(*within[w]));
      } else {
        const double at = static_cast<double>(w + 1) / static_cast<double>(within.size() + 1);
        below = static_cast<uint64_t>(std::ceil(at * static_cast<double>(k.distinct)));
      }
      const double at = std::clamp(share_below(k, below), from, 1.0);
      emit(SegKind::kBucket, b, k.shares.segment * (at - from), from, at);
      emit(SegKind::kAtom, within[w]->index, within[w]->mass, 0, 1);
      from = at;
    }
    emit(SegKind::kBucket, b, k.shares.segment * (1 - from), from, 1);
  }
  for (; a < atoms.size(); ++a) emit(SegKind::kAtom, atoms[a].index, atoms[a].mass, 0, 1);
  if (null_share_ > 0) {
    segments_.push_back({SegKind::kNull, 0});
    cum_.push_back(1.0);
  }
  if (!cum_.empty()) cum_.back() = 1.0;  // rounding: the last position lands in the last
}

void Empirical::plan_text_widths(const Distribution& d, const std::vector<double>& freqs,
                                 double rest) {
  length_scale_ = 1;
  if (bounds_text_.empty() || rest <= 0) return;
  double mean_bound = 0;
  for (const auto& b : bounds_text_) mean_bound += static_cast<double>(b.size());
  mean_bound /= static_cast<double>(bounds_text_.size());
  if (d.avg_width <= 0 || mean_bound <= 0) return;
  double mcv_width = 0;
  for (size_t i = 0; i < atom_text_.size(); ++i)
    mcv_width += freqs[i] * stored_width(atom_text_[i].size());
  const double rest_width = (d.avg_width - mcv_width) / rest;  // stored bytes per value
  double rest_chars = rest_width - (rest_width - 1 <= 126 ? 1 : 4);
  rest_chars = std::max(rest_chars, 1.0);
  length_scale_ = rest_chars / mean_bound;
}

}  // namespace pgshape::gen
