// The heap order of a clustered pair key (gen/pair_order.hpp).
#include "gen/pair_order.hpp"

#include <algorithm>
#include <cmath>
#include <cstdlib>
#include <cstring>
#include <numeric>
#include <string>
#include <utility>

#include "gen/pair_key.hpp"
#include "gen/window_shuffle.hpp"

namespace pgshape::gen {
namespace {

// ANALYZE's correlation is measured on an evenly spread sample of this many rows.
constexpr uint64_t kMeasureRows = 20000;
constexpr size_t kChunk = 4096;

void put_be(std::string& out, uint64_t v) {
  for (int shift = 56; shift >= 0; shift -= 8) out.push_back(static_cast<char>(v >> shift));
}

void put_double(std::string& out, double d) {
  uint64_t bits = 0;
  std::memcpy(&bits, &d, sizeof bits);
  put_be(out, bits >> 63 ? ~bits : bits | (uint64_t{1} << 63));
}

// Bytes that sort as the value does: integers and times (kInt) by sign-flipped
// big-endian, floats by their ordered bits, numeric text by its number, other
// text bytewise and ended by a NUL (which no text holds), NULL last.
void put_value(std::string& out, const ColumnVector& v, size_t i, const ColumnType& type) {
  if (v.nulls()[i]) {
    out.push_back('\xff');
    return;
  }
  out.push_back('\0');
  switch (v.kind()) {
    case Datum::Kind::kInt:
    case Datum::Kind::kBool:
      put_be(out, static_cast<uint64_t>(v.ints()[i]) ^ (uint64_t{1} << 63));
      return;
    case Datum::Kind::kFloat:
      put_double(out, v.floats()[i]);
      return;
    case Datum::Kind::kUuid: {
      const Datum d = v.datum(i);
      put_be(out, d.uuid_hi);
      put_be(out, d.uuid_lo);
      return;
    }
    case Datum::Kind::kText: {
      std::string_view text = v.text(i);
      if (type.is_fractional() || type.is_integer()) {
        const std::string copy(text);
        put_double(out, std::strtod(copy.c_str(), nullptr));
        return;
      }
      if (type.kind == PgType::kChar)
        while (!text.empty() && text.back() == ' ') text.remove_suffix(1);
      out.append(text);
      out.push_back('\0');
      return;
    }
    case Datum::Kind::kNull:
      return;
  }
}

}  // namespace

std::vector<uint32_t> value_order(const DomainFill& fill, const std::vector<const Column*>& columns,
                                  const std::vector<uint64_t>& rows) {
  std::vector<std::string> keys(rows.size());
  std::vector<ColumnVector> out(columns.size());
  for (size_t at = 0; at < rows.size(); at += kChunk) {
    const size_t n = std::min(kChunk, rows.size() - at);
    for (size_t c = 0; c < columns.size(); ++c) {
      fill(c, Selection::list(rows.data() + at, n), out[c]);
      for (size_t k = 0; k < n; ++k) put_value(keys[at + k], out[c], k, columns[c]->type);
    }
  }
  std::vector<uint32_t> order(rows.size());
  std::iota(order.begin(), order.end(), uint32_t{0});
  std::stable_sort(order.begin(), order.end(),
                   [&](uint32_t a, uint32_t b) { return keys[a] < keys[b]; });
  return order;
}

void order_equal_counts(const DomainFill& fill, const std::vector<const Column*>& columns,
                        const std::vector<int64_t>& counts, std::vector<uint64_t>& rows) {
  const std::vector<uint32_t> order = value_order(fill, columns, rows);
  std::vector<uint32_t> rank(order.size());
  for (size_t i = 0; i < order.size(); ++i) rank[order[i]] = static_cast<uint32_t>(i);
  std::vector<uint32_t> index(rows.size());
  std::iota(index.begin(), index.end(), uint32_t{0});
  for (size_t from = 0; from < index.size();) {
    size_t to = from + 1;
    while (to < index.size() && counts[to] == counts[from]) ++to;
    std::sort(index.begin() + static_cast<std::ptrdiff_t>(from),
              index.begin() + static_cast<std::ptrdiff_t>(to),
              [&](uint32_t a, uint32_t b) { return rank[a] < rank[b]; });
    from = to;
  }
  std::vector<uint64_t> sorted(rows.size());
  for (size_t i = 0; i < index.size(); ++i) sorted[i] = rows[index[i]];
  rows = std::move(sorted);
}

double cluster_correlation(const Column& family) {
  const double r = family.dist.kind == DistKind::kEmpirical ? family.dist.correlation : 0;
  return r == 0 ? 1 : r;  // an empirical column in random order is not clustered by stats
}

PairOrder::PairOrder(const PairLayout& layout, std::vector<uint32_t> by_value, double correlation,
                     uint64_t key)
    : rows_(static_cast<uint64_t>(layout.rows())), family_(std::move(by_value)), key_(key) {
  const auto& sizes = layout.family_sizes();
  start_.reserve(family_.size() + 1);
  uint64_t at = 0;
  for (uint32_t g : family_) {
    start_.push_back(at);
    at += static_cast<uint64_t>(sizes[g]);
  }
  start_.push_back(at);
  // Distinct sizes only: about as many as the layout's levels, not families.
  below_.assign(1, 0);
  fewer_.assign(1, 0);
  for (auto it = sizes.rbegin(); it != sizes.rend(); ++it) {
    const auto size = static_cast<uint64_t>(*it);
    if (ascending_.empty() || ascending_.back() != size) {
      ascending_.push_back(size);
      below_.push_back(below_.back());
      fewer_.push_back(fewer_.back());
    }
    below_.back() += size;
    ++fewer_.back();
  }
  families_ = static_cast<uint64_t>(sizes.size());
  const double r = std::clamp(correlation, -1.0, 1.0);
  reverse_ = r < 0;
  windows_ = static_cast<double>(rows_);
  if (rows_ < 3 || std::fabs(measured_correlation() - r) <= 0.005) return;
  // Fewer windows, less order: bisected (over the logarithm) on the measure,
  // which also counts what ties add, as ANALYZE's does.
  double lo = 0, hi = std::log(static_cast<double>(rows_));
  for (int i = 0; i < 40; ++i) {
    const double mid = (lo + hi) / 2;
    windows_ = std::exp(mid);
    (std::fabs(measured_correlation()) < std::fabs(r) ? lo : hi) = mid;
  }
  windows_ = std::exp(hi);
}

uint64_t PairOrder::sorted(uint64_t row) const {
  const uint64_t n = rows_;
  const uint64_t p = shuffled_within_windows(row, n, windows_, key_);
  return reverse_ ? n - 1 - p : p;
}

uint64_t PairOrder::cells_before(uint64_t r) const {
  // Every family holds min(size, r) cells of the columns before r.
  const auto shorter = static_cast<size_t>(
      std::lower_bound(ascending_.begin(), ascending_.end(), r) - ascending_.begin());
  return below_[shorter] + (families_ - fewer_[shorter]) * r;
}

uint64_t PairOrder::operator()(uint64_t row) const {
  const uint64_t s = sorted(row);
  const auto i =
      static_cast<size_t>(std::upper_bound(start_.begin(), start_.end(), s) - start_.begin() - 1);
  // The family's k-th cell is in column k of the layout, at its family's row.
  return cells_before(s - start_[i]) + family_[i];
}

double PairOrder::measured_correlation() const {
  const uint64_t stride = std::max<uint64_t>(1, rows_ / kMeasureRows);
  std::vector<std::pair<uint64_t, uint64_t>> keys;  // (family in value order, row)
  for (uint64_t row = 0; row < rows_; row += stride) {
    const uint64_t s = sorted(row);
    keys.emplace_back(
        static_cast<uint64_t>(std::upper_bound(start_.begin(), start_.end(), s) - start_.begin()),
        row);
  }
  const size_t m = keys.size();
  if (m < 2) return 0;
  std::sort(keys.begin(), keys.end());
  double xy = 0;
  for (size_t i = 0; i < m; ++i)
    xy += static_cast<double>(i) * static_cast<double>(keys[i].second / stride);
  const double mean = (static_cast<double>(m) - 1) / 2;
  const double var = (static_cast<double>(m) * static_cast<double>(m) - 1) / 12;
  return (xy / static_cast<double>(m) - mean * mean) / var;
}

}  // namespace pgshape::gen

namespace pgshape::gen {

// `cluster:` names the key's first column (validation holds it to one).
bool PairSource::clustered() const {
  return table_->cluster == family_->name;
}

}  // namespace pgshape::gen
