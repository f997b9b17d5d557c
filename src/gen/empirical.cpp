// Empirical columns: the shape pg_stats describes. The most common values keep
// their frequencies; the rest of the mass is spread over the histogram's
// buckets, which pg_stats makes equally likely by construction.
#include <boost/random/discrete_distribution.hpp>
#include <cmath>
#include <numeric>

#include "gen/columns.hpp"
#include "util/pgtime.hpp"

namespace pgshape::gen {

Datum weighted_literal(const ColumnType& type, const std::string& text);

namespace {

class Empirical : public ColumnGenerator {
 public:
  explicit Empirical(const ColumnContext& c)
      : key_(stream_key(c.seed, c.table->name, c.column->name)), type_(c.column->type) {
    const Distribution& d = c.column->dist;
    for (const auto& v : d.values) mcv_.push_back(weighted_literal(type_, v));
    for (const auto& v : d.histogram) bounds_.push_back(weighted_literal(type_, v));
    if (bounds_.size() < 2 && d.min && d.max) {
      bounds_ = {weighted_literal(type_, ""), weighted_literal(type_, "")};
      numeric_bounds_ = {*d.min, *d.max};
    } else {
      for (const auto& b : bounds_)
        numeric_bounds_.push_back(b.kind == Datum::Kind::kFloat ? b.f : static_cast<double>(b.i));
    }
    mcv_mass_ = std::accumulate(d.weights.begin(), d.weights.end(), 0.0);
    if (bounds_.size() < 2 || mcv_mass_ >= 1) mcv_mass_ = 1;  // nothing else to draw from
    if (!d.weights.empty())
      mcv_dist_ =
          boost::random::discrete_distribution<size_t, double>(d.weights.begin(), d.weights.end());
    numeric_ = !type_.is_textual() && type_.kind != PgType::kBoolean && type_.kind != PgType::kUuid;
    strings_ = c.column->dist.histogram;
  }

  Datum value(uint64_t row, std::string&) const override {
    CounterEngine engine(key_, row);
    if (!mcv_.empty() && engine.uniform01() < mcv_mass_) {
      auto dist = mcv_dist_;
      return mcv_[dist(engine)];
    }
    const size_t buckets = bounds_.size() - 1;
    const size_t b = engine.below(buckets);
    if (!numeric_) return Datum::string(strings_[b + engine.below(2)]);
    const double lo = numeric_bounds_[b], hi = numeric_bounds_[b + 1];
    const double v = lo + engine.uniform01() * (hi - lo);
    if (type_.is_fractional()) return Datum::real(v);
    return Datum::integer(static_cast<int64_t>(std::floor(v)));
  }

 private:
  uint64_t key_;
  ColumnType type_;
  std::vector<Datum> mcv_;
  std::vector<Datum> bounds_;
  std::vector<double> numeric_bounds_;
  std::vector<std::string> strings_;
  double mcv_mass_ = 0;
  bool numeric_ = true;
  boost::random::discrete_distribution<size_t, double> mcv_dist_;
};

}  // namespace

std::unique_ptr<ColumnGenerator> make_empirical_generator(const ColumnContext& context) {
  return std::make_unique<Empirical>(context);
}

}  // namespace pgshape::gen
