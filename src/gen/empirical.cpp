// Empirical columns: the shape pg_stats describes, reproduced so that ANALYZE on
// the generated data reports (nearly) the same statistics again.
//
//   most_common_vals/freqs  drawn with their frequencies (alias table)
//   histogram_bounds        the remaining mass: every bucket equally likely, as
//                           ANALYZE builds them equi-depth
//   n_distinct              the remaining mass holds n_distinct - |MCV| distinct
//                           values: each bucket gets an equal share, synthesised
//                           between its bounds (numbers: evenly spaced points;
//                           text: the lower bound's prefix + an index code that
//                           sorts after it, so the histogram stays in order)
//   correlation             a row takes the value at its own quantile (row / rows)
//                           with probability q, a random quantile otherwise; q is
//                           solved so ANALYZE's correlation (ties broken by heap
//                           position) comes out as pg_stats says; negative flips
//                           the quantile
//   avg_width               text lengths scaled so the average stored width matches
//   null_frac               drawn by the column's NULL wrapper (or the foreign-key
//                           generator) before this one; the frequencies here are
//                           renormalised to the non-NULL rows for that reason.
//
// Owned by the stats import (src/stats); the model is Distribution in profile.hpp.
#include <algorithm>
#include <boost/random/discrete_distribution.hpp>
#include <cmath>
#include <numeric>

#include <fmt/format.h>

#include "gen/columns.hpp"
#include "pgshape/util.hpp"

namespace pgshape::gen {
namespace {

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
    const double non_null = std::max(1e-9, 1.0 - c.column->null_fraction);

    for (size_t i = 0; i < d.values.size(); ++i) {
      mcv_.push_back(weighted_literal(type_, d.values[i]));
      mcv_text_.push_back(d.values[i]);
    }
    std::vector<double> freqs(d.weights.begin(), d.weights.end());
    freqs.resize(mcv_.size(), 0);
    double mcv_mass = std::accumulate(freqs.begin(), freqs.end(), 0.0) / non_null;

    bounds_text_ = d.histogram;
    if ((numeric_ || text_) && bounds_text_.size() >= 2) {
      for (const auto& b : bounds_text_) bounds_.push_back(number_of(weighted_literal(type_, b)));
    } else if (numeric_ && d.min && d.max && *d.max > *d.min) {
      bounds_ = {*d.min, *d.max};
      bounds_text_.clear();
    } else {
      bounds_text_.clear();
    }
    const size_t buckets = bucket_count();
    if (buckets == 0 || mcv_mass >= 1) mcv_mass = std::min(1.0, mcv_mass);
    double rest = buckets == 0 ? 0 : std::max(0.0, 1.0 - mcv_mass);
    if (mcv_.empty() && buckets == 0) {
      mcv_.push_back(Datum::null());  // validated profiles never get here
      mcv_text_.emplace_back();
      freqs = {1};
    }
    // Normalise MCV + histogram mass to 1 over the non-NULL rows.
    const double total = std::accumulate(freqs.begin(), freqs.end(), 0.0) / non_null + rest;
    for (auto& f : freqs) f = f / non_null / (total > 0 ? total : 1);
    rest = total > 0 ? rest / total : 0;

    // Distinct values of the histogram part, shared equally by the buckets.
    double distinct = d.n_distinct < 0 ? -d.n_distinct * static_cast<double>(rows_) : d.n_distinct;
    distinct = std::min(distinct, static_cast<double>(rows_) * non_null);
    if (buckets > 0) {
      const double rest_distinct = std::max(1.0, distinct - static_cast<double>(mcv_.size()));
      const double draws = std::max(1.0, static_cast<double>(rows_) * non_null * rest);
      // Random quantiles draw values with replacement: N draws from M values show
      // M (1 - e^(-N/M)) distinct ones, so M is solved for that to be n_distinct.
      // Rows that follow the heap order (|correlation|) hit values in turn instead.
      double values = rest_distinct;
      if (std::fabs(d.correlation) < 0.9 && distinct > 0) {
        const double wanted = std::min(rest_distinct, 0.98 * draws);
        double lo = wanted, hi = 64 * draws + wanted;
        for (int i = 0; i < 100; ++i) {
          const double mid = (lo + hi) / 2;
          (mid * (1 - std::exp(-draws / mid)) < wanted ? lo : hi) = mid;
        }
        values = std::max(rest_distinct, hi);
      }
      per_bucket_ = std::max<uint64_t>(
          1, static_cast<uint64_t>(std::llround(values / static_cast<double>(buckets))));
      if (distinct <= 0) per_bucket_ = static_cast<uint64_t>(rows_);  // unknown: as many as rows
      code_digits_ = 0;
      for (uint64_t span = 1; span < per_bucket_; span *= 26) ++code_digits_;
    }
    if (text_) plan_text_widths(d, freqs, rest, non_null);
    build_quantiles(freqs, rest);
    // ANALYZE breaks ties by heap position, so a column in random order already shows
    // a correlation of r0 = sum of squared value frequencies (0.65 for an 80 % value).
    // With a share q of rows in value order, r = q + (1 - q) r0 (ascending) or
    // -q + (1 - q) r0 (descending): solve for q.
    double r0 = 0;
    for (double f : freqs) r0 += f * f;
    const double r = std::clamp(d.correlation, -1.0, 1.0);
    if (r >= r0)
      correlation_ = r0 < 1 ? (r - r0) / (1 - r0) : 0;
    else
      correlation_ = -(r0 - r) / (1 + r0);
    max_chars_ = type_.max_chars();
  }

  Datum::Kind kind() const override { return kind_; }
  void fill(const Selection& rows, const Batch&, ColumnVector& out) const override {
    out.reset(kind_, rows.size());
    std::string scratch;
    rows.for_each([&](size_t i, uint64_t row) { store_datum(out, i, draw(row, scratch)); });
  }

 private:
  Datum draw(uint64_t row, std::string& scratch) const {
    CounterEngine engine(key_, row);
    double u = engine.uniform01();
    const double follow = engine.uniform01();
    if (follow < std::fabs(correlation_)) {
      // Sorted along the heap: the value at this row's own quantile.
      u = (static_cast<double>(row) + 0.5) / static_cast<double>(rows_);
      if (correlation_ < 0) u = 1 - u;
    }
    // The segment holding quantile u (segments are in value order).
    auto it = std::upper_bound(cum_.begin(), cum_.end(), u);
    size_t s = std::min<size_t>(static_cast<size_t>(it - cum_.begin()), segments_.size() - 1);
    const Segment& seg = segments_[s];
    if (seg.mcv) return mcv_[seg.index];
    const double lo_cum = s == 0 ? 0 : cum_[s - 1];
    const double width = cum_[s] - lo_cum;
    const double t = width > 0 ? std::clamp((u - lo_cum) / width, 0.0, 1.0 - 1e-12) : 0;
    return bucket_value(seg.index, t, scratch);
  }

  struct Segment {
    bool mcv;
    size_t index;  // into mcv_ or the buckets
  };

  size_t bucket_count() const { return bounds_.size() >= 2 ? bounds_.size() - 1 : 0; }

  static double number_of(const Datum& d) {
    return d.kind == Datum::Kind::kFloat ? d.f : static_cast<double>(d.i);
  }

  // Orders MCV atoms and histogram buckets by value, and accumulates their mass.
  void build_quantiles(const std::vector<double>& freqs, double rest) {
    const size_t buckets = bucket_count();
    struct Item {
      bool mcv;
      size_t index;
      double mass;
    };
    std::vector<Item> items;
    for (size_t i = 0; i < mcv_.size(); ++i)
      if (freqs[i] > 0) items.push_back({true, i, freqs[i]});
    for (size_t b = 0; b < buckets; ++b)
      items.push_back({false, b, rest / static_cast<double>(buckets)});
    auto less = [&](const Item& a, const Item& b) {
      // An MCV sits before the bucket whose lower bound it does not pass.
      if (numeric_) {
        const double ka = a.mcv ? number_of(mcv_[a.index]) : bounds_[a.index];
        const double kb = b.mcv ? number_of(mcv_[b.index]) : bounds_[b.index];
        if (ka != kb) return ka < kb;
      } else if (text_ && !bounds_text_.empty()) {
        const std::string& ka = a.mcv ? mcv_text_[a.index] : bounds_text_[a.index];
        const std::string& kb = b.mcv ? mcv_text_[b.index] : bounds_text_[b.index];
        if (ka != kb) return ka < kb;
      } else if (a.mcv && b.mcv) {
        return mcv_text_[a.index] < mcv_text_[b.index];
      }
      if (a.mcv != b.mcv) return a.mcv;
      return a.index < b.index;
    };
    std::stable_sort(items.begin(), items.end(), less);
    double sum = 0;
    for (const auto& item : items) {
      sum += item.mass;
      segments_.push_back({item.mcv, item.index});
      cum_.push_back(sum);
    }
    if (!cum_.empty()) cum_.back() = 1.0;  // rounding: quantile 1 - eps lands in the last
  }

  // Text widths: the non-MCV values' lengths follow the histogram bounds' lengths,
  // scaled so the column's average stored width matches avg_width.
  void plan_text_widths(const Distribution& d, const std::vector<double>& freqs, double rest,
                        double) {
    length_scale_ = 1;
    if (bounds_text_.empty() || rest <= 0) return;
    double mean_bound = 0;
    for (const auto& b : bounds_text_) mean_bound += static_cast<double>(b.size());
    mean_bound /= static_cast<double>(bounds_text_.size());
    if (d.avg_width <= 0 || mean_bound <= 0) return;
    double mcv_width = 0;
    for (size_t i = 0; i < mcv_text_.size(); ++i)
      mcv_width += freqs[i] * stored_width(mcv_text_[i].size());
    const double rest_width = (d.avg_width - mcv_width) / rest;  // stored bytes per value
    double rest_chars = rest_width - (rest_width - 1 <= 126 ? 1 : 4);
    rest_chars = std::max(rest_chars, 1.0);
    length_scale_ = rest_chars / mean_bound;
  }

  // The j-th of per_bucket_ distinct values of bucket b, for quantile t within it.
  Datum bucket_value(size_t b, double t, std::string& out) const {
    const uint64_t j = std::min<uint64_t>(
        per_bucket_ - 1, static_cast<uint64_t>(t * static_cast<double>(per_bucket_)));
    if (numeric_) {
      const double lo = bounds_[b], hi = bounds_[b + 1];
      const double span = hi - lo;
      if (type_.is_fractional())
        return Datum::real(lo + (static_cast<double>(j) + 0.5) / static_cast<double>(per_bucket_) *
                                    span);
      // Integers, days, microseconds: the last bucket includes its upper bound.
      const double slots = span + (b + 2 == bounds_.size() ? 1 : 0);
      double offset = static_cast<double>(per_bucket_) >= slots
                          ? std::floor(t * slots)
                          : std::floor((static_cast<double>(j) + 0.5) /
                                       static_cast<double>(per_bucket_) * slots);
      offset = std::clamp(offset, 0.0, std::max(0.0, slots - 1));
      // Bounds come from literals of the column's type; anything else is no int64.
      if (!(lo >= -0x1p63 && lo + offset < 0x1p63))
        refuse(*table_, *column_, kEveryRow, fmt::format("histogram bound {} is no integer", lo));
      return Datum::integer(static_cast<int64_t>(lo) + static_cast<int64_t>(offset));
    }
    if (!text_) return weighted_literal(type_, bounds_text_[b + (t < 0.5 ? 0 : 1)]);
    return Datum::string(synthesise_text(b, j, out));
  }

  // A string that sorts just after bounds_text_[b]: its prefix, a fixed-width base-26
  // code of j (so the bucket's values keep their order), then filler up to a length
  // drawn from the bounds' lengths. A pure function of (b, j): same index, same string.
  std::string_view synthesise_text(size_t b, uint64_t j, std::string& out) const {
    CounterEngine shape(shape_key_, b * per_bucket_ + j);
    const std::string& lo = bounds_text_[b];
    const std::string& like = bounds_text_[shape.below(bounds_text_.size())];
    const double scaled = static_cast<double>(like.size()) * length_scale_;
    size_t length = static_cast<size_t>(scaled);
    if (shape.uniform01() < scaled - std::floor(scaled)) ++length;  // unbiased rounding
    length = std::max<size_t>(length, code_digits_ + (lo.empty() ? 1 : 0));
    const size_t keep = utf8_cut(lo, length > code_digits_ ? length - code_digits_ : 0);
    out.assign(lo, 0, keep);
    char code[16];
    uint64_t v = j;
    for (size_t k = code_digits_; k-- > 0;) {
      code[k] = static_cast<char>('a' + v % 26);
      v /= 26;
    }
    out.append(code, code_digits_);
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
  std::vector<Datum> mcv_;
  std::vector<std::string> mcv_text_;  // for ordering; kText Datums point into the profile
  std::vector<double> bounds_;         // numeric bounds (numbers, days, microseconds)
  std::vector<std::string> bounds_text_;
  uint64_t per_bucket_ = 1;
  size_t code_digits_ = 0;
  double length_scale_ = 1;
  double correlation_ = 0;
  int max_chars_ = 0;
  std::vector<Segment> segments_;
  std::vector<double> cum_;  // cumulative mass at the end of each segment
};

}  // namespace

std::unique_ptr<ColumnGenerator> make_empirical_generator(const ColumnContext& context) {
  return std::make_unique<Empirical>(context);
}

}  // namespace pgshape::gen
