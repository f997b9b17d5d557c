// Empirical columns: the shape pg_stats describes, reproduced so that ANALYZE on
// the generated data reports (nearly) the same statistics again.
//
// Every row gets a position in [0, rows) by a bijection of the row number (so
// each position is used exactly once), and the position is a quantile of the
// column's value order: positions are cut into segments, in value order, of
// the most common values, the histogram's buckets and (when this generator
// draws them itself) the NULLs. Each segment gets exactly its share of rows,
// so MCV frequencies, NULLs and distinct counts come out as planned rather
// than as random draws would scatter them.
//
//   most_common_vals/freqs  one segment per value, as long as its frequency; one
//                           that lies between a bucket's bounds cuts the bucket
//                           there, so value order (and correlation) stays true
//   histogram_bounds        the remaining mass, split equally (ANALYZE builds
//                           them equi-depth); beyond the first and last bound a
//                           thin tail when the source's sample could not see its
//                           extremes (tables larger than ANALYZE's sample)
//   n_distinct              spread over the buckets by water-filling: each bucket
//                           the same number of distinct values, but never more than
//                           it can hold (the integers between its bounds, its
//                           rows), the rest going to the buckets that can; solved
//                           so that ANALYZE's own estimator (Haas-Stokes on a
//                           30,000-row sample) reports the source's figure again.
//                           The bucket's j-th value sits at j / distinct of its
//                           width; its first value is the bound itself
//   small domains           when the MCVs and the histogram bounds hold every
//                           value (n_distinct <= their count), exactly those
//                           values, bounds weighted by how often they appear;
//                           unique columns so get each value once
//   correlation             the position is the row number shuffled within
//                           windows (reversed for negative correlation): a window
//                           of the whole table is a random order, windows of one
//                           row the sorted order; the window length is solved
//                           for ANALYZE's correlation (ties broken by heap
//                           position). Small tables try a few shuffles and keep
//                           the one whose correlation is nearest
//   avg_width               text lengths scaled so the average stored width matches
//   null_frac               the NULL segment, last in value order (a foreign key's
//                           NULLs are drawn by its NULL wrapper instead).
//
// Owned by the stats import (src/stats); the model is Distribution in profile.hpp.
#include <algorithm>
#include <cmath>
#include <deque>
#include <map>
#include <numeric>
#include <optional>

#include <fmt/format.h>

#include "gen/columns.hpp"
#include "pgshape/util.hpp"

namespace pgshape::gen {
namespace {

// Rows ANALYZE samples at the default statistics target (300 x 100).
constexpr double kAnalyzeSample = 30000;
// Tables up to this many rows search a few shuffles for the nearest correlation.
constexpr int64_t kSearchRows = 20000;

// Bytes PostgreSQL stores for a short varlena of `chars` bytes (1-byte header up
// to 126 bytes, else 4); what pg_stats.avg_width measures.
double stored_width(size_t bytes) {
  return static_cast<double>(bytes) + (bytes <= 126 ? 1 : 4);
}

// Cuts `text` to at most `bytes` without splitting a UTF-8 sequence.
size_t utf8_cut(std::string_view text, size_t bytes) {
  if (bytes >= text.size()) return text.size();
  while (bytes > 0 && (static_cast<unsigned char>(text[bytes]) & 0xC0) == 0x80) --bytes;
  return bytes;
}

// Rank correlation of a shuffle within windows of length n / x (x >= 1 windows
// of the same length, the last one shorter): 1 - sum (len / n)^3.
double window_correlation(double x) {
  const double whole = std::floor(x);
  const double rest = 1 - whole / x;
  return 1 - whole / (x * x * x) - rest * rest * rest;
}

class Empirical : public ColumnGenerator {
 public:
  explicit Empirical(const ColumnContext& c)
      : key_(stream_key(c.seed, c.table->name, c.column->name)),
        shape_key_(stream_key(c.seed, c.table->name, c.column->name, "shape")),
        type_(c.column->type),
        rows_(std::max<int64_t>(1, c.rows)),
        kind_(literal_kind(type_)),
        table_(c.table),
        column_(c.column) {
    const Distribution& d = c.column->dist;
    numeric_ = type_.is_integer() || type_.is_fractional() || type_.is_temporal();
    text_ = type_.is_textual();
    // A foreign key's NULLs come from its wrapper; everyone else's from here.
    null_share_ = c.column->ref ? 0 : std::clamp(c.column->null_fraction, 0.0, 1.0);
    const double non_null = std::max(1e-9, 1.0 - c.column->null_fraction);
    non_null_ = non_null;
    const double n = static_cast<double>(rows_);

    for (size_t i = 0; i < d.values.size(); ++i) add_atom(d.values[i]);
    std::vector<double> freqs(d.weights.begin(), d.weights.end());
    freqs.resize(atoms_.size(), 0);
    double mcv_mass = std::accumulate(freqs.begin(), freqs.end(), 0.0) / non_null;

    std::vector<std::string> bounds = d.histogram;
    std::vector<double> bound_numbers;
    if ((numeric_ || text_) && bounds.size() >= 2) {
      for (const auto& b : bounds) bound_numbers.push_back(number_of(weighted_literal(type_, b)));
    } else if (numeric_ && d.min && d.max && *d.max > *d.min) {
      bound_numbers = {*d.min, *d.max};
      bounds.clear();
    } else {
      bounds.clear();
    }
    // How many values the source has (pg_stats' convention: < 0 a fraction of rows).
    double distinct = d.n_distinct < 0 ? -d.n_distinct * n : d.n_distinct;
    distinct = std::min(distinct, n * non_null);

    // Small domain: every value is an MCV or a histogram bound, so those are the
    // column's values (each bound weighted by how many bounds it fills).
    std::map<std::string, int> bound_count;
    for (const auto& b : bounds) bound_count[b]++;
    const bool unique = c.column->unique || c.column->primary_key;
    const bool small =
        !bounds.empty() && d.n_distinct != 0 &&
        (unique || distinct <= static_cast<double>(atoms_.size() + bound_count.size()) + 0.5);
    if (small) {
      const double rest = std::max(0.0, 1.0 - mcv_mass);
      std::vector<std::string> seen;
      for (const auto& b : bounds)
        if (std::find(seen.begin(), seen.end(), b) == seen.end()) seen.push_back(b);
      // Text keeps the histogram's order (the source's collation sorted it); an
      // MCV goes where it sorts among the bounds.
      for (size_t i = 0; text_ && i < atoms_.size(); ++i) {
        const auto below = std::count_if(seen.begin(), seen.end(),
                                         [&](const std::string& b) { return b < atom_text_[i]; });
        atom_order_.push_back(static_cast<double>(below) - 0.5);
      }
      for (size_t i = 0; i < seen.size(); ++i) {
        add_atom(seen[i]);
        if (text_) atom_order_.push_back(static_cast<double>(i));
        freqs.push_back(rest * non_null * bound_count[seen[i]] /
                        static_cast<double>(bounds.size()));
      }
      // Unique: every value equally often, so none of them takes two rows.
      if (unique)
        for (auto& f : freqs) f = non_null / static_cast<double>(freqs.size());
      bound_numbers.clear();
      bounds.clear();
      mcv_mass = std::accumulate(freqs.begin(), freqs.end(), 0.0) / non_null;
    }
    bounds_text_ = bounds;
    bounds_ = bound_numbers;

    const size_t buckets = bucket_count();
    if (buckets == 0 || mcv_mass >= 1) mcv_mass = std::min(1.0, mcv_mass);
    double rest = buckets == 0 ? 0 : std::max(0.0, 1.0 - mcv_mass);
    if (atoms_.empty() && buckets == 0) {
      add_atom(std::string());  // validated profiles never get here
      atoms_.back() = Datum::null();
      atom_order_.clear();
      freqs = {1};
    }
    // Normalise MCV + histogram mass to 1 over the non-NULL rows.
    const double total = std::accumulate(freqs.begin(), freqs.end(), 0.0) / non_null + rest;
    for (auto& f : freqs) f = f / non_null / (total > 0 ? total : 1);
    rest = total > 0 ? rest / total : 0;

    if (text_) plan_text_widths(d, freqs, rest);
    plan_buckets(d, freqs, rest, distinct);
    build_segments(freqs);
    plan_order(d, freqs);
    // One window (a random order, the usual case): its permutation built once.
    if (rows_ > 1 && windows_ <= 1)
      whole_.emplace(static_cast<uint64_t>(rows_), mix64(order_key_ ^ 0));
    max_chars_ = type_.max_chars();
  }

  Datum::Kind kind() const override { return kind_; }
  void fill(const Selection& rows, const Batch&, ColumnVector& out) const override {
    out.reset(kind_, rows.size());
    std::string scratch;
    rows.for_each([&](size_t i, uint64_t row) { store_datum(out, i, draw(row, scratch)); });
  }

 private:
  struct Bucket {
    double lo = 0, hi = 0;  // bounds (numbers, days, microseconds)
    double mass = 0;        // share of the non-NULL rows
    uint64_t distinct = 1;  // values it holds
    double slots = 0;       // values it can hold (integers between its bounds); 0 = unbounded
    bool last = false;      // includes its upper bound
    bool tail = false;      // beyond the source's first or last bound
    size_t text = 0;        // its lower bound in bounds_text_
    size_t code_digits = 0;
    std::vector<int64_t> skip;  // MCVs between its bounds (integers), sorted
  };
  enum class SegKind { kAtom, kBucket, kNull };
  struct Segment {
    SegKind kind;
    size_t index;  // into atoms_ or buckets_
    // A bucket with MCVs inside its bounds is cut around them: this part holds
    // the bucket's quantiles [from, to).
    double from = 0, to = 1;
  };

  void add_atom(const std::string& text) {
    atom_text_.push_back(text);  // a deque: the Datum's text stays where it is
    atoms_.push_back(weighted_literal(type_, atom_text_.back()));
  }

  size_t bucket_count() const { return bounds_.size() >= 2 ? bounds_.size() - 1 : 0; }

  static double number_of(const Datum& d) {
    return d.kind == Datum::Kind::kFloat ? d.f : static_cast<double>(d.i);
  }

  // What integers a bucket [lo, hi) spans for this type (0: unbounded).
  // Beyond 2^50 steps (tails double that) a double counts them inexactly: such ranges are
  // continuous.
  double slot_scale() const {
    double unit = 0;
    if (type_.is_integer() || type_.kind == PgType::kDate) unit = 1;
    if (type_.is_fractional() && type_.precision > 0) unit = std::pow(10.0, type_.scale);
    for (double b : bounds_)
      if (!(std::fabs(b) * unit < 0x1p50)) return 0;
    return unit;
  }

  // The buckets, their tails, and how many distinct values each holds.
  void plan_buckets(const Distribution& d, const std::vector<double>& freqs, double rest,
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
    for (size_t b = 0; b < buckets_.size(); ++b) {
      Bucket& k = buckets_[b];
      k.distinct = static_cast<uint64_t>(std::clamp(std::round(level), 1.0, caps[b]));
      for (uint64_t span = 1; span < k.distinct; span *= 26) ++k.code_digits;
    }
  }

  // What ANALYZE would estimate for n_distinct when each bucket holds
  // min(level, cap) values (its rows spread evenly over them): the expected
  // distinct (d) and once-seen (f1) values of its sample, in Haas-Stokes.
  double predicted_distinct(const std::vector<double>& freqs, const std::vector<double>& caps,
                            double level) const {
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
    for (size_t b = 0; b < buckets_.size(); ++b) {
      const double values = std::clamp(std::round(level), 1.0, caps[b]);
      add(values, buckets_[b].mass * n * non_null / values);
    }
    if (s >= 1) return all;
    if (d - f1 < 0.5) return n * non_null;  // no repeats: ANALYZE calls it unique
    const double sample = kAnalyzeSample;
    const double estimate = sample * d / (sample - f1 + f1 * sample / n);
    return std::clamp(estimate, d, n * non_null);
  }

  // Orders atoms and buckets by value (the NULL segment last), and accumulates
  // their share of the positions.
  void build_segments(const std::vector<double>& freqs) {
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
      double from = 0;
      for (size_t w = 0; w < within.size(); ++w) {
        double at = static_cast<double>(w + 1) / static_cast<double>(within.size() + 1);
        if (numeric_ && k.hi > k.lo)
          at = std::clamp((value_of(*within[w]) - k.lo) / (k.hi - k.lo), from, 1.0);
        emit(SegKind::kBucket, b, k.mass * (at - from), from, at);
        emit(SegKind::kAtom, within[w]->index, within[w]->mass, 0, 1);
        from = at;
      }
      emit(SegKind::kBucket, b, k.mass * (1 - from), from, 1);
    }
    for (; a < atoms.size(); ++a) emit(SegKind::kAtom, atoms[a].index, atoms[a].mass, 0, 1);
    if (null_share_ > 0) {
      segments_.push_back({SegKind::kNull, 0});
      cum_.push_back(1.0);
    }
    if (!cum_.empty()) cum_.back() = 1.0;  // rounding: the last position lands in the last
  }

  // Correlation: a shuffle within windows has rank correlation w (negative:
  // reversed), but ANALYZE breaks ties by heap position, so repeated values add
  // to it (a column in random order shows the sum of squared frequencies, 0.65
  // for an 80 % value) and a reversed order gets its tie groups ascending. So w
  // is solved by measuring: ANALYZE's correlation over (a spread sample of) the
  // rows, bisected. Small tables then try a few shuffle keys and keep the nearest:
  // 3 rows hold only a few orders.
  void plan_order(const Distribution& d, const std::vector<double>& freqs) {
    if (rows_ < 3) return;
    const double r = std::clamp(d.correlation, -1.0, 1.0);
    auto apply = [&](double w) {
      reverse_ = w < 0;
      windows_ = solve_windows(std::fabs(w));
    };
    // First the closed form, r = w + (1 - |w|) r0 with r0 the sum of squared
    // frequencies; measured once, and bisected only when it misses.
    double r0 = 0;
    for (double f : freqs) r0 += f * f;
    apply(r >= r0 ? (r0 < 1 ? (r - r0) / (1 - r0) : 0) : -(r0 - r) / (1 + r0));
    if (std::fabs(measured_correlation() - r) > 0.01) {
      double lo = -1, hi = 1;
      for (int i = 0; i < 14; ++i) {
        const double mid = (lo + hi) / 2;
        apply(mid);
        (measured_correlation() < r ? lo : hi) = mid;
      }
      apply((lo + hi) / 2);
    }
    if (rows_ > kSearchRows) return;
    double best = std::fabs(measured_correlation() - r);
    const double base = windows_;
    const uint64_t base_key = order_key_;
    uint64_t best_key = base_key;
    double best_windows = base;
    // About a million rows drawn at most (48 tries of 3 rows, 10 of 20,000).
    const int64_t attempts = std::clamp<int64_t>(200000 / rows_, 10, 48);
    for (int64_t attempt = 1; attempt < attempts && best > 0.005; ++attempt) {
      order_key_ = mix64(base_key + static_cast<uint64_t>(attempt));
      const double factor = 1 + 0.1 * static_cast<double>((attempt % 5) - 2);
      windows_ = std::clamp(base * factor, 1.0, static_cast<double>(rows_));
      const double err = std::fabs(measured_correlation() - r);
      if (err < best) best = err, best_key = order_key_, best_windows = windows_;
    }
    order_key_ = best_key;
    windows_ = best_windows;
  }

  // The window count x whose shuffle has rank correlation w (rows_ windows: sorted).
  double solve_windows(double w) const {
    const double n = static_cast<double>(rows_);
    if (w <= 0) return 1;
    if (w >= window_correlation(n)) return n;
    double lo = 1, hi = n;
    for (int i = 0; i < 80; ++i) {
      const double mid = std::sqrt(lo * hi);
      (window_correlation(mid) < w ? lo : hi) = mid;
    }
    return hi;
  }

  // ANALYZE's correlation of the column: value order, ties by heap position,
  // against heap order, over the non-NULL rows.
  double measured_correlation() const {
    std::vector<std::pair<uint64_t, uint64_t>> keys;  // (value order, row)
    // Large tables: an evenly spread sample, as ANALYZE measures on its sample.
    const uint64_t stride = std::max<uint64_t>(1, static_cast<uint64_t>(rows_) / kSearchRows);
    keys.reserve(static_cast<size_t>(rows_) / stride + 1);
    for (uint64_t row = 0; row < static_cast<uint64_t>(rows_); row += stride) {
      const Slot slot = locate(row);
      if (segments_[slot.segment].kind == SegKind::kNull) continue;
      keys.emplace_back((static_cast<uint64_t>(slot.segment) << 32) | (slot.value & 0xFFFFFFFF),
                        row);
    }
    const size_t m = keys.size();
    if (m < 2) return 0;
    std::vector<uint64_t> heap_rank(static_cast<size_t>(rows_ / static_cast<int64_t>(stride)) + 1);
    for (size_t i = 0; i < m; ++i) heap_rank[keys[i].second / stride] = i;
    std::sort(keys.begin(), keys.end());
    double xy = 0;
    for (size_t i = 0; i < m; ++i)
      xy += static_cast<double>(i) * static_cast<double>(heap_rank[keys[i].second / stride]);
    const double mean = (static_cast<double>(m) - 1) / 2;
    const double var = (static_cast<double>(m) * static_cast<double>(m) - 1) / 12;
    return (xy / static_cast<double>(m) - mean * mean) / var;
  }

  // The position of a row: its number shuffled within its window.
  uint64_t position(uint64_t row) const {
    const auto n = static_cast<uint64_t>(rows_);
    if (n <= 1) return 0;
    uint64_t p = row;
    if (whole_) {
      p = (*whole_)(row);
    } else if (windows_ < static_cast<double>(n)) {
      const double length = static_cast<double>(n) / windows_;
      auto start_of = [&](uint64_t i) {
        return std::min<uint64_t>(
            n, static_cast<uint64_t>(std::floor(static_cast<double>(i) * length)));
      };
      uint64_t i = static_cast<uint64_t>(static_cast<double>(row) / length);
      while (i > 0 && start_of(i) > row) --i;
      while (start_of(i + 1) <= row) ++i;
      const uint64_t start = start_of(i), end = start_of(i + 1);
      if (end - start > 1) p = start + Permutation(end - start, mix64(order_key_ ^ i))(row - start);
    }
    return reverse_ ? n - 1 - p : p;
  }

  struct Slot {
    size_t segment;
    uint64_t value;  // within a bucket: which of its distinct values
  };

  Slot locate(uint64_t row) const {
    const double u = (static_cast<double>(position(row)) + 0.5) / static_cast<double>(rows_);
    auto it = std::upper_bound(cum_.begin(), cum_.end(), u);
    const size_t s = std::min<size_t>(static_cast<size_t>(it - cum_.begin()), segments_.size() - 1);
    const Segment& seg = segments_[s];
    if (seg.kind != SegKind::kBucket) return {s, 0};
    const double lo_cum = s == 0 ? 0 : cum_[s - 1];
    const double width = cum_[s] - lo_cum;
    double t = width > 0 ? std::clamp((u - lo_cum) / width, 0.0, 1.0 - 1e-12) : 0;
    t = std::min(seg.from + t * (seg.to - seg.from), 1.0 - 1e-12);
    const uint64_t count = buckets_[seg.index].distinct;
    return {s,
            std::min<uint64_t>(count - 1, static_cast<uint64_t>(t * static_cast<double>(count)))};
  }

  Datum draw(uint64_t row, std::string& scratch) const {
    const Slot slot = locate(row);
    const Segment& seg = segments_[slot.segment];
    if (seg.kind == SegKind::kNull) return Datum::null();
    if (seg.kind == SegKind::kAtom) return atoms_[seg.index];
    return bucket_value(seg.index, slot.value, scratch);
  }

  // Text widths: the non-MCV values' lengths follow the histogram bounds' lengths,
  // scaled so the column's average stored width matches avg_width.
  void plan_text_widths(const Distribution& d, const std::vector<double>& freqs, double rest) {
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

  // The j-th of a bucket's distinct values, in value order; the first is the
  // lower bound itself, and the last bucket's last its upper bound.
  Datum bucket_value(size_t b, uint64_t j, std::string& out) const {
    const Bucket& k = buckets_[b];
    const auto count = static_cast<double>(k.distinct);
    const double jd = static_cast<double>(j);
    // Where value j sits in the bucket, 0..1.
    const double at = k.last && k.distinct > 1 ? jd / (count - 1) : jd / count;
    if (numeric_) {
      const double unit = unit_;
      if (unit <= 0) {
        if (type_.is_fractional()) return Datum::real(k.lo + at * (k.hi - k.lo));
        return checked_integer(k.lo + std::floor(at * (k.hi - k.lo)));  // microseconds
      }
      // Integer steps (integers, days, numeric's last digit): the j-th of the free slots.
      const double slots = k.slots;
      double index =
          k.last && k.distinct > 1 ? std::round(at * (slots - 1)) : std::floor(at * slots);
      index = std::clamp(index, 0.0, std::max(0.0, slots - 1));
      int64_t v = std::llround(k.lo * unit) + static_cast<int64_t>(index);
      for (int64_t skipped : k.skip)  // sorted: each MCV at or below v pushes it on
        if (skipped <= v) ++v;
      if (type_.is_fractional()) return Datum::real(static_cast<double>(v) / unit);
      return checked_integer(static_cast<double>(v));
    }
    if (!text_) return weighted_literal(type_, bounds_text_[k.text + (at < 0.5 ? 0 : 1)]);
    if (j == 0) return Datum::string(bounds_text_[k.text]);
    if (k.last && j + 1 == k.distinct) return Datum::string(bounds_text_[k.text + 1]);
    return Datum::string(synthesise_text(b, j, out));
  }

  Datum checked_integer(double v) const {
    // Bounds come from literals of the column's type; anything else is no int64.
    if (!(v >= -0x1p63 && v < 0x1p63))
      refuse(*table_, *column_, kEveryRow, fmt::format("histogram value {} is no integer", v));
    return Datum::integer(static_cast<int64_t>(v));
  }

  // A string that sorts just after its bucket's lower bound: the bound's prefix, a
  // fixed-width base-26 code of j (so the bucket's values keep their order), then
  // filler up to a length drawn from the bounds' lengths. A pure function of
  // (b, j): same index, same string.
  std::string_view synthesise_text(size_t b, uint64_t j, std::string& out) const {
    const Bucket& k = buckets_[b];
    CounterEngine shape(shape_key_, (static_cast<uint64_t>(b) << 40) ^ j);
    const std::string& lo = bounds_text_[k.text];
    const std::string& like = bounds_text_[shape.below(bounds_text_.size())];
    const double scaled = static_cast<double>(like.size()) * length_scale_;
    size_t length = static_cast<size_t>(scaled);
    if (shape.uniform01() < scaled - std::floor(scaled)) ++length;  // unbiased rounding
    const size_t digits = k.code_digits;
    // At least the lower bound's characters up to where it differs from the upper
    // one, so two buckets' values never meet (and sort between the bounds).
    const std::string& hi = bounds_text_[k.text + 1];
    size_t shared = 0;
    while (shared < lo.size() && shared < hi.size() && lo[shared] == hi[shared]) ++shared;
    const size_t distinguish = std::min(lo.size(), shared + 1);
    length = std::max<size_t>(length, digits + std::max<size_t>(distinguish, lo.empty() ? 1 : 0));
    size_t keep = utf8_cut(lo, length > digits ? length - digits : 0);
    if (keep < distinguish) {  // cut inside a UTF-8 character: keep all of it
      keep = distinguish;
      while (keep < lo.size() && (static_cast<unsigned char>(lo[keep]) & 0xC0) == 0x80) ++keep;
    }
    out.assign(lo, 0, keep);
    char code[16];
    uint64_t v = j;
    for (size_t i = digits; i-- > 0;) {
      code[i] = static_cast<char>('a' + v % 26);
      v /= 26;
    }
    out.append(code, digits);
    while (out.size() < length) out += static_cast<char>('a' + shape.below(26));
    if (max_chars_ > 0) {
      // varchar(n) counts characters.
      size_t chars = 0;
      for (size_t i = 0; i < out.size(); ++i) {
        if ((static_cast<unsigned char>(out[i]) & 0xC0) == 0x80) continue;
        if (++chars > static_cast<size_t>(max_chars_)) {
          out.resize(i);
          break;
        }
      }
    }
    return out;
  }

  uint64_t key_;
  uint64_t shape_key_;
  ColumnType type_;
  int64_t rows_;
  Datum::Kind kind_;  // as the MCV literals parse
  const Table* table_;
  const Column* column_;
  bool numeric_ = false;
  bool text_ = false;
  double null_share_ = 0;  // of the positions: the NULL segment
  double non_null_ = 1;    // the column's non-NULL share (a foreign key's wrapper draws the rest)
  std::vector<Datum> atoms_;           // MCVs, then (small domains) the bounds' values
  std::deque<std::string> atom_text_;  // their text (kText Datums point here), for ordering too
  std::vector<double> atom_order_;     // small text domains: the order of the source's histogram
  std::vector<double> bounds_;         // numeric bounds (numbers, days, microseconds)
  std::vector<std::string> bounds_text_;
  std::vector<Bucket> buckets_;
  double length_scale_ = 1;
  double unit_ = 0;  // integer steps per unit of the bounds (slot_scale); 0 = continuous
  int max_chars_ = 0;
  std::vector<Segment> segments_;
  std::vector<double> cum_;  // cumulative share of positions at the end of each segment
  uint64_t order_key_ = key_ ^ 0x6f72646572ULL;
  double windows_ = 1;                // shuffle windows (rows_: sorted)
  std::optional<Permutation> whole_;  // the permutation of a single window
  bool reverse_ = false;
};

}  // namespace

std::unique_ptr<ColumnGenerator> make_empirical_generator(const ColumnContext& context) {
  return std::make_unique<Empirical>(context);
}

}  // namespace pgshape::gen
