// The key family: popularity ranks drawn with skew, foreign keys that map
// ranks to parent rows through a keyed permutation (so hot parents are spread
// over the table) and fill the parent's key there, and copies that read those
// parent rows from the batch instead of choosing again.
#include <algorithm>

#include <fmt/format.h>

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
}  // namespace

ForeignKeyGenerator::ForeignKeyGenerator(const ColumnContext& c, int64_t parent_rows)
    : key_(stream_key(c.seed, c.table->name, c.column->name)),
      picker_(c.column->dist, fk_domain(c.column->dist, parent_rows)),
      // Keyed by the parent table alone: a product popular in one child table is
      // popular in every child table, as in real data.
      popularity_(static_cast<uint64_t>(parent_rows),
                  stream_key(c.seed, c.column->ref->table, "", "popularity")),
      parent_rows_(parent_rows),
      unique_(c.column->unique || (c.column->primary_key && c.table->primary_key.size() == 1)) {
  if (c.column->dist.kind == DistKind::kEmpirical) values_ = make_empirical_generator(c);
  if (unique_ && c.rows > parent_rows)
    refuse(*c.table, *c.column, kEveryRow,
           fmt::format("a unique foreign key over {} rows needs as many parent rows ({} has {})",
                       c.rows, c.column->ref->table, parent_rows));
  // A small parent table's popularity order as a table (16 KB at most): one
  // load instead of a permutation per row, for categories, stores, statuses.
  if (!values_ && parent_rows > 0 && parent_rows <= kRankTableRows) {
    row_by_rank_.resize(static_cast<size_t>(parent_rows));
    for (size_t rank = 0; rank < row_by_rank_.size(); ++rank)
      row_by_rank_[rank] = static_cast<uint32_t>(popularity_(rank));
  }
}

void ForeignKeyGenerator::link(const TableGenerator* parent, size_t key_column) {
  parent_ = parent;
  key_column_ = key_column;
  key_is_foreign_key_ = parent->table().columns[key_column].ref.has_value();
}

void ForeignKeyGenerator::learn_parent_keys() {
  if (!values_ || parent_rows_ < 1) return;
  // Probe the parent's keys: an arithmetic sequence maps a key straight to its row.
  const ColumnGenerator& key = parent_->column(key_column_);
  std::string scratch;
  const Datum first = key.value(0, scratch);
  const Datum second = parent_rows_ > 1 ? key.value(1, scratch) : first;
  const Datum last = key.value(static_cast<uint64_t>(parent_rows_ - 1), scratch);
  if (first.kind != Datum::Kind::kInt || second.kind != Datum::Kind::kInt ||
      last.kind != Datum::Kind::kInt)
    return;
  parent_start_ = first.i;
  parent_step_ = parent_rows_ > 1 ? second.i - first.i : 1;
  arithmetic_parent_ =
      parent_step_ != 0 && last.i == parent_start_ + (parent_rows_ - 1) * parent_step_;
}

Datum::Kind ForeignKeyGenerator::kind() const {
  return parent_ ? parent_->column(key_column_).kind() : Datum::Kind::kInt;
}

void ForeignKeyGenerator::choose_parent_rows(const Selection& rows, uint64_t* parents,
                                             ColumnVector& scratch) const {
  if (unique_) {  // one child per parent (a 1:1 table): the parent rows, permuted
    rows.for_each([&](size_t i, uint64_t row) { parents[i] = popularity_(row); });
    return;
  }
  if (values_) {
    // The key values first (the empirical shape), then the rows holding them.
    values_->fill(rows, Batch(0), scratch);
    const auto count = static_cast<uint64_t>(parent_rows_);
    for (size_t i = 0; i < rows.size(); ++i) {
      if (scratch.nulls()[i]) {
        parents[i] = 0;
        continue;
      }
      const Datum v = scratch.datum(i);
      if (arithmetic_parent_ && v.kind == Datum::Kind::kInt) {
        parents[i] = static_cast<uint64_t>(
            std::clamp<int64_t>((v.i - parent_start_) / parent_step_, 0, parent_rows_ - 1));
        continue;
      }
      const uint64_t h =
          v.kind == Datum::Kind::kText ? hash_name(v.text) : mix64(static_cast<uint64_t>(v.i));
      parents[i] = h % count;
    }
    return;
  }
  const uint32_t* by_rank = row_by_rank_.empty() ? nullptr : row_by_rank_.data();
  rows.for_each([&](size_t i, uint64_t row) {
    CounterEngine engine(key_, row);
    const uint64_t rank = picker_(engine);
    parents[i] = by_rank ? by_rank[rank] : popularity_(rank);
  });
}

void ForeignKeyGenerator::fill(const Selection& rows, const Batch&, ColumnVector& out) const {
  if (!parent_) throw InternalError("a foreign key generator was not linked to its parent");
  // The parent rows first, then their keys in one call; reset() keeps the rows.
  const size_t n = rows.size();
  uint64_t* parents = out.parent_rows(n);
  choose_parent_rows(rows, parents, out.scratch());
  if (!key_is_foreign_key_) {
    parent_->fill_column(key_column_, Selection::list(parents, n), out);
    return;
  }
  const std::vector<uint64_t> mine(parents, parents + n);
  parent_->fill_column(key_column_, Selection::list(mine.data(), n), out);
  std::copy(mine.begin(), mine.end(), out.parent_rows(n));
}

void CopyGenerator::link(size_t fk_column, const TableGenerator* parent, size_t source_column) {
  fk_column_ = fk_column;
  parent_ = parent;
  source_column_ = source_column;
}

Datum::Kind CopyGenerator::kind() const {
  return parent_ ? parent_->column(source_column_).kind() : Datum::Kind::kInt;
}

void CopyGenerator::fill(const Selection& rows, const Batch& batch, ColumnVector& out) const {
  if (!parent_) throw InternalError("a copy column was not linked to its foreign key");
  // The parent rows this batch's foreign key chose; NULL where the key is NULL.
  const ColumnVector& fk = batch.column(fk_column_);
  parent_->fill_column(source_column_, Selection::list(fk.parent_rows(), rows.size()), out);
  uint8_t* nulls = out.nulls();
  const uint8_t* fk_nulls = fk.nulls();
  for (size_t i = 0; i < rows.size(); ++i) nulls[i] |= fk_nulls[i];
}

}  // namespace pgshape::gen
