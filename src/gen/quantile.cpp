// Quantile functions and rank tables for the coupled draw of ordered columns.
#include "gen/quantile.hpp"

#include <algorithm>
#include <cmath>

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

}  // namespace

std::unique_ptr<QuantileFunction> quantile_function(const ColumnContext& context,
                                                    const ColumnGenerator& own) {
  if (const auto* source = dynamic_cast<const QuantileSource*>(&own))
    return std::make_unique<FromSource>(*source);
  const DistKind kind = context.column->dist.kind;
  if (!own.inputs().empty() ||
      (own.kind() != Datum::Kind::kInt && own.kind() != Datum::Kind::kFloat))
    return nullptr;
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
