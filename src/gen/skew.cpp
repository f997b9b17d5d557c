// Popularity: ranks drawn with skew, and foreign keys that map ranks to parent
// rows through a keyed permutation so hot parents are spread over the table.
#include <algorithm>
#include <atomic>

#include "gen/columns.hpp"
#include "pgshape/error.hpp"

namespace pgshape::gen {

RankPicker::RankPicker(const Distribution& dist, int64_t domain) : domain_(domain) {
  if (domain < 1) throw InternalError("RankPicker over an empty domain");
  if (dist.kind == DistKind::kHotset) {
    hot_ = std::min(dist.hot, domain);
    share_ = hot_ == domain ? 1.0 : dist.share;
    if (domain > hot_) zipf_ = std::make_unique<ZipfDistribution>(domain - hot_, dist.s);
  } else if (dist.kind == DistKind::kZipf) {
    zipf_ = std::make_unique<ZipfDistribution>(domain, dist.s);
  }
}

uint64_t RankPicker::operator()(CounterEngine& engine) const {
  if (hot_ > 0) {
    // The hot items share `share_` evenly; the rest of the mass follows Zipf over
    // the remaining ranks, so the hot items stay the most popular.
    const double u = engine.uniform01();
    if (u < share_ || !zipf_)
      return std::min<uint64_t>(static_cast<uint64_t>(u / share_ * static_cast<double>(hot_)),
                                static_cast<uint64_t>(hot_ - 1));
    return static_cast<uint64_t>(hot_ + (*zipf_)(engine)-1);
  }
  if (zipf_) return static_cast<uint64_t>((*zipf_)(engine)-1);
  return engine.below(static_cast<uint64_t>(domain_));
}

namespace {
int64_t fk_domain(const Distribution& dist, int64_t parent_rows) {
  return dist.n > 0 ? std::min(dist.n, parent_rows) : parent_rows;
}

// The parent row a foreign key chose last, per thread: a copied column (an
// order item's price from its product_id) asks for the row its key column has
// just computed. Keyed by a generator id that is never reused, not by address.
struct LastParent {
  uint64_t generator = 0;
  uint64_t row = 0;
  int64_t parent = 0;
};
thread_local LastParent last_parent;
std::atomic<uint64_t> next_generator_id{1};
}  // namespace

ForeignKeyGenerator::ForeignKeyGenerator(const ColumnContext& c, int64_t parent_rows)
    : key_(stream_key(c.seed, c.table->name, c.column->name)),
      null_key_(stream_key(c.seed, c.table->name, c.column->name, "null")),
      null_fraction_(c.column->null_fraction),
      picker_(c.column->dist, fk_domain(c.column->dist, parent_rows)),
      // Keyed by the parent table alone: a product popular in one child table is
      // popular in every child table, as in real data.
      popularity_(static_cast<uint64_t>(parent_rows),
                  stream_key(c.seed, c.column->ref->table, "", "popularity")),
      parent_rows_(parent_rows),
      id_(next_generator_id++) {
  if (c.column->dist.kind == DistKind::kEmpirical) values_ = make_empirical_generator(c);
  // A small parent table's popularity order as a table (16 KB at most): one
  // load instead of a permutation per row, for categories, stores, statuses.
  if (!values_ && parent_rows > 0 && parent_rows <= kRankTableRows) {
    row_by_rank_.resize(static_cast<size_t>(parent_rows));
    for (size_t rank = 0; rank < row_by_rank_.size(); ++rank)
      row_by_rank_[rank] = static_cast<uint32_t>(popularity_(rank));
  }
}

void ForeignKeyGenerator::link(const ColumnGenerator* parent_key) {
  parent_key_ = parent_key;
  if (!values_ || parent_rows_ < 1) return;
  // Probe the parent's keys: an arithmetic sequence maps a key straight to its row.
  std::string scratch;
  const Datum first = parent_key->value(0, scratch);
  const Datum second = parent_rows_ > 1 ? parent_key->value(1, scratch) : first;
  const Datum last = parent_key->value(static_cast<uint64_t>(parent_rows_ - 1), scratch);
  if (first.kind != Datum::Kind::kInt || second.kind != Datum::Kind::kInt ||
      last.kind != Datum::Kind::kInt)
    return;
  parent_start_ = first.i;
  parent_step_ = parent_rows_ > 1 ? second.i - first.i : 1;
  arithmetic_parent_ =
      parent_step_ != 0 && last.i == parent_start_ + (parent_rows_ - 1) * parent_step_;
}

int64_t ForeignKeyGenerator::parent_row(uint64_t row) const {
  LastParent& last = last_parent;
  if (last.generator == id_ && last.row == row) return last.parent;
  const int64_t parent = choose_parent_row(row);
  last = {id_, row, parent};
  return parent;
}

int64_t ForeignKeyGenerator::choose_parent_row(uint64_t row) const {
  if (null_fraction_ > 0) {
    CounterEngine nulls(null_key_, row);
    if (nulls.uniform01() < null_fraction_) return -1;
  }
  if (values_) {
    std::string scratch;
    const Datum v = values_->value(row, scratch);
    if (arithmetic_parent_ && v.kind == Datum::Kind::kInt)
      return std::clamp<int64_t>((v.i - parent_start_) / parent_step_, 0, parent_rows_ - 1);
    uint64_t h =
        v.kind == Datum::Kind::kText ? hash_name(v.text) : mix64(static_cast<uint64_t>(v.i));
    return static_cast<int64_t>(h % static_cast<uint64_t>(parent_rows_));
  }
  CounterEngine engine(key_, row);
  const uint64_t rank = picker_(engine);
  return static_cast<int64_t>(row_by_rank_.empty() ? popularity_(rank) : row_by_rank_[rank]);
}

Datum ForeignKeyGenerator::value(uint64_t row, std::string& scratch) const {
  const int64_t parent = parent_row(row);
  if (parent < 0) return Datum::null();
  return parent_key_->value(static_cast<uint64_t>(parent), scratch);
}

Datum::Kind ForeignKeyGenerator::batch_kind() const {
  return copied_ || !parent_key_ ? Datum::Kind::kNull : parent_key_->batch_kind();
}

void ForeignKeyGenerator::fill(uint64_t begin, size_t n, int64_t* ints, double* floats,
                               uint8_t* nulls) const {
  // The parent rows first, then their keys in one call.
  constexpr size_t kChunk = 128;
  uint64_t parents[kChunk];
  bool null[kChunk];
  for (size_t done = 0; done < n; done += kChunk) {
    const size_t m = std::min(kChunk, n - done);
    bool any_null = false;
    for (size_t i = 0; i < m; ++i) {
      const int64_t parent = choose_parent_row(begin + done + i);
      null[i] = parent < 0;
      any_null |= null[i];
      parents[i] = null[i] ? 0 : static_cast<uint64_t>(parent);
    }
    parent_key_->fill_rows(parents, m, ints + done, floats + done, nulls + done);
    if (any_null)
      for (size_t i = 0; i < m; ++i) nulls[done + i] |= static_cast<uint8_t>(null[i]);
  }
}

}  // namespace pgshape::gen
