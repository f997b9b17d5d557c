// Quantile functions and rank tables for the coupled draw of ordered columns.
#include "gen/quantile.hpp"

#include <algorithm>
#include <cmath>

#include "pgshape/value_counts.hpp"

namespace pgshape::gen {
namespace {

double lane_value(const ColumnVector& v, size_t i) {
  return v.kind() == Datum::Kind::kInt ? static_cast<double>(v.ints()[i]) : v.floats()[i];
}

class FromSource : public QuantileFunction {
 public:
  explicit FromSource(const QuantileSource& source) : source_(&source) {}
  void fill(const double* u, size_t n, ColumnVector& out) const override {
    source_->fill_quantiles(u, n, out);
  }

 private:
  const QuantileSource* source_;  // the generator it came from, which owns it
};

// A sorted sample of the generator's draws: sample k stands at quantile
// (k + 1/2) / K, and quantiles between two samples take the value between
// them, so a continuous column keeps a continuum of values.
class Tabulated : public QuantileFunction {
 public:
  Tabulated(std::vector<double> sorted, Datum::Kind kind)
      : sorted_(std::move(sorted)), kind_(kind) {}
  void fill(const double* u, size_t n, ColumnVector& out) const override {
    out.reset(kind_, n);
    const double k = static_cast<double>(sorted_.size());
    for (size_t i = 0; i < n; ++i) {
      const double pos = std::clamp(u[i] * k - 0.5, 0.0, k - 1);
      const auto at = static_cast<size_t>(pos);
      const double t = pos - static_cast<double>(at);
      const double v =
          at + 1 < sorted_.size() ? sorted_[at] + t * (sorted_[at + 1] - sorted_[at]) : sorted_[at];
      if (kind_ == Datum::Kind::kInt)
        out.ints()[i] = std::llround(v);
      else
        out.floats()[i] = v;
    }
  }

 private:
  std::vector<double> sorted_;
  Datum::Kind kind_;
};

// A weighted column's values in value order with their cumulative shares
// (the profile's weights over its values; NULL is not a value).
class WeightedValues : public QuantileFunction {
 public:
  WeightedValues(const Column& column, Datum::Kind kind) : kind_(kind) {
    const Distribution& d = column.dist;
    std::vector<std::pair<double, double>> values;  // value, weight
    for (size_t i = 0; i < d.values.size() && i < d.weights.size(); ++i) {
      const Datum v = weighted_literal(column.type, d.values[i]);
      if (v.kind == Datum::Kind::kInt || v.kind == Datum::Kind::kFloat)
        values.emplace_back(v.kind == Datum::Kind::kInt ? static_cast<double>(v.i) : v.f,
                            std::max(0.0, d.weights[i]));
    }
    std::sort(values.begin(), values.end());
    double total = 0;
    for (const auto& [value, weight] : values) total += weight;
    double sum = 0;
    for (const auto& [value, weight] : values) {
      if (!(weight > 0)) continue;
      sum += weight / total;
      values_.push_back(value);
      cum_.push_back(sum);
    }
    if (!cum_.empty()) cum_.back() = 1;
  }
  bool empty() const { return values_.empty(); }
  void fill(const double* u, size_t n, ColumnVector& out) const override {
    out.reset(kind_, n);
    for (size_t i = 0; i < n; ++i) {
      const size_t at = std::min<size_t>(
          static_cast<size_t>(std::upper_bound(cum_.begin(), cum_.end(), u[i]) - cum_.begin()),
          values_.size() - 1);
      if (kind_ == Datum::Kind::kInt)
        out.ints()[i] = static_cast<int64_t>(values_[at]);
      else
        out.floats()[i] = values_[at];
    }
  }

 private:
  std::vector<double> values_, cum_;
  Datum::Kind kind_;
};

// Zipf and hot-set ranks (values start + rank) as RankPicker weighs them:
// the hot ranks share `share` evenly, the rest zipf over n - hot. The zipf's
// distribution function is summed over its first 2^16 ranks; past them a
// rank's weight is the integral of x^-s over [k - 1/2, k + 1/2), inverted in
// closed form (a rank there holds under 2^-16 of the head's mass: a rank off
// by one at a boundary moves no row in 10^4). Exact where a sample of draws
// would cut the domain short at its last sampled rank.
class SkewedRanks : public QuantileFunction {
 public:
  explicit SkewedRanks(const Distribution& d) : start_(d.start), s_(d.s) {
    const int64_t n = std::max<int64_t>(d.n, 1);
    hot_ = d.kind == DistKind::kHotset ? std::min(d.hot, n) : 0;
    hot_share_ = hot_ >= n ? 1.0 : hot_ > 0 ? d.share : 0.0;
    zipf_ranks_ = n - hot_;
    if (zipf_ranks_ == 0) return;
    total_ = zipf_total(zipf_ranks_, s_);
    const int64_t head = std::min<int64_t>(zipf_ranks_, int64_t{1} << 16);
    cum_.reserve(static_cast<size_t>(head));
    long double h = 0;
    for (int64_t k = 1; k <= head; ++k) {
      h += std::pow(static_cast<long double>(k), -static_cast<long double>(s_));
      cum_.push_back(static_cast<double>(h / total_));
    }
    head_mass_ = h;
    past_table_ = ZipfWeightInverse(static_cast<double>(head) + 0.5, s_);
  }
  void fill(const double* u, size_t n, ColumnVector& out) const override {
    out.reset(Datum::Kind::kInt, n);
    for (size_t i = 0; i < n; ++i) out.ints()[i] = start_ + rank(u[i]);
  }

 private:
  int64_t rank(double u) const {
    if (u < hot_share_ || zipf_ranks_ == 0)
      return std::min<int64_t>(hot_ - 1,
                               static_cast<int64_t>(u / hot_share_ * static_cast<double>(hot_)));
    const double v = std::clamp((u - hot_share_) / (1 - hot_share_), 0.0, 1.0);
    const auto at = std::upper_bound(cum_.begin(), cum_.end(), v);
    if (at != cum_.end()) return hot_ + (at - cum_.begin());
    // Past the table: the smallest rank k (1-based) whose weight up to
    // k + 1/2 passes the rest w, weights from the table's end (head + 1/2) on.
    const auto head = static_cast<double>(cum_.size());
    const double w = static_cast<double>(static_cast<long double>(v) * total_ - head_mass_);
    const double k = std::ceil(past_table_(w) - 0.5);  // 1-based
    const double last = static_cast<double>(zipf_ranks_);
    const double one_based = std::isfinite(k) ? std::clamp(k, head + 1, last) : last;
    return hot_ + static_cast<int64_t>(one_based) - 1;
  }

  int64_t start_;
  double s_;
  int64_t hot_ = 0;
  double hot_share_ = 0;
  int64_t zipf_ranks_ = 0;
  long double total_ = 1, head_mass_ = 0;
  std::vector<double> cum_;  // the zipf's distribution function at ranks 1..2^16
  ZipfWeightInverse past_table_{0.5, 1};
};

}  // namespace

std::unique_ptr<QuantileFunction> quantile_function(const ColumnContext& context,
                                                    const ColumnGenerator& own) {
  if (const auto* source = dynamic_cast<const QuantileSource*>(&own))
    return std::make_unique<FromSource>(*source);
  const DistKind kind = context.column->dist.kind;
  if (!own.inputs().empty() ||
      (own.kind() != Datum::Kind::kInt && own.kind() != Datum::Kind::kFloat))
    return nullptr;
  if ((kind == DistKind::kZipf || kind == DistKind::kHotset) && own.kind() == Datum::Kind::kInt &&
      !context.column->ref && context.column->dist.s > 0)
    return std::make_unique<SkewedRanks>(context.column->dist);
  if (kind == DistKind::kWeighted) {
    auto weighted = std::make_unique<WeightedValues>(*context.column, own.kind());
    if (weighted->empty()) return nullptr;
    return weighted;
  }
  if (kind != DistKind::kUniform && kind != DistKind::kNormal && kind != DistKind::kLognormal)
    return nullptr;
  // Rows past the table are draws of the same distribution: each row's value
  // is its own counter's, so the sample need not fit in the table.
  ColumnVector drawn;
  own.fill(Selection::range(0, RankTable::kSample), Batch(0), drawn);
  std::vector<double> sorted;
  sorted.reserve(drawn.size());
  for (size_t i = 0; i < drawn.size(); ++i)
    if (!drawn.nulls()[i]) sorted.push_back(lane_value(drawn, i));
  if (sorted.empty()) return nullptr;
  std::sort(sorted.begin(), sorted.end());
  return std::make_unique<Tabulated>(std::move(sorted), own.kind());
}

RankTable::RankTable(const TableGenerator& table, size_t column) {
  const auto rows = static_cast<uint64_t>(std::max<int64_t>(table.rows(), 0));
  const uint64_t n = std::min<uint64_t>(rows, kSample);
  std::vector<uint64_t> at(n);
  for (uint64_t k = 0; k < n; ++k)
    at[k] = static_cast<uint64_t>(static_cast<unsigned __int128>(k) * rows / n);
  ColumnVector values;
  table.fill_column(column, Selection::list(at.data(), at.size()), values);
  if (values.kind() != Datum::Kind::kInt && values.kind() != Datum::Kind::kFloat) return;
  sorted_.reserve(n);
  for (size_t i = 0; i < values.size(); ++i)
    if (!values.nulls()[i]) sorted_.push_back(lane_value(values, i));
  std::sort(sorted_.begin(), sorted_.end());
  index();
}

void RankTable::index() {
  guide_.clear();
  if (sorted_.size() < 64 || !(sorted_.back() > sorted_.front()) ||
      !std::isfinite(sorted_.back() - sorted_.front()))
    return;
  scale_ = static_cast<double>(kGuide) / (sorted_.back() - sorted_.front());
  guide_.resize(kGuide + 1);
  size_t at = 0;
  for (size_t g = 0; g <= kGuide; ++g) {
    const double start = sorted_.front() + static_cast<double>(g) / scale_;
    while (at < sorted_.size() && sorted_[at] < start) ++at;
    guide_[g] = static_cast<uint32_t>(at);
  }
}

double RankTable::rank(double x, double v) const {
  const double n = static_cast<double>(sorted_.size());
  auto first = sorted_.begin(), last = sorted_.end();
  if (!guide_.empty() && x >= sorted_.front() && x <= sorted_.back()) {
    // A step either side of x's own: rounding may put x one step off.
    const auto g = static_cast<size_t>(std::min((x - sorted_.front()) * scale_, double{kGuide}));
    first = sorted_.begin() + guide_[g > 0 ? g - 1 : 0];
    last = sorted_.begin() + (g + 2 <= kGuide ? guide_[g + 2] : sorted_.size());
  }
  const auto lower = std::lower_bound(first, last, x);
  const auto below = static_cast<double>(lower - sorted_.begin());
  const auto upto = static_cast<double>(
      (lower != last && *lower == x ? std::upper_bound(lower, last, x) : lower) - sorted_.begin());
  if (upto > below) return (below + v * (upto - below)) / n;
  // Not in the sample: sample k stands at (k + 1/2) / n, and x between two.
  if (below == 0) return v * 0.5 / n;
  if (below == n) return (n - 0.5 + v * 0.5) / n;
  const auto b = static_cast<size_t>(below);
  const double t = (x - sorted_[b - 1]) / (sorted_[b] - sorted_[b - 1]);
  return (below - 0.5 + t) / n;
}

}  // namespace pgshape::gen
