// The key family: popularity ranks drawn with skew, foreign keys that map
// ranks to parent rows through a keyed permutation (so hot parents are spread
// over the table) and fill the parent's key there, and copies that read those
// parent rows from the batch instead of choosing again.
#include <algorithm>
#include <numeric>
#include <utility>

#include <fmt/format.h>

#include "gen/columns.hpp"
#include "pgshape/error.hpp"
#include "pgshape/fanout.hpp"
#include "pgshape/pairs.hpp"

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
      dist_(&c.column->dist),
      picker_(c.column->dist, fk_domain(c.column->dist, parent_rows)),
      // Keyed by the parent table alone: a product popular in one child table is
      // popular in every child table, as in real data.
      popularity_(static_cast<uint64_t>(parent_rows),
                  stream_key(c.seed, c.column->ref->table, "", "popularity")),
      parent_rows_(parent_rows),
      unique_(c.column->unique || (c.column->primary_key && c.table->primary_key.size() == 1)) {
  if (c.column->dist.kind == DistKind::kEmpirical) values_ = make_empirical_generator(c);
  if (c.column->dist.kind == DistKind::kFanout)
    fanout_ = std::make_unique<FanoutLayout>(c, parent_rows, c.table->cluster == c.column->name);
  domain_ = static_cast<uint64_t>(std::max<int64_t>(fk_domain(c.column->dist, parent_rows), 0));
  if (!fanout_ && !c.column->dist.of.empty()) {
    const int of = c.table->column_index(c.column->dist.of);
    if (of < 0) throw InternalError("unvalidated `of` of foreign key " + c.column->name);
    distinct_in_ = static_cast<size_t>(of);
  }
  if (unique_ && c.rows > parent_rows)
    refuse(*c.table, *c.column, kEveryRow,
           fmt::format("a unique foreign key over {} rows needs as many parent rows ({} has {})",
                       c.rows, c.column->ref->table, parent_rows));
  // A small parent table's popularity order as a table (16 KB at most): one
  // load instead of a permutation per row, for categories, stores, statuses.
  if (!values_ && !fanout_ && parent_rows > 0 && parent_rows <= kRankTableRows) {
    row_by_rank_.resize(static_cast<size_t>(parent_rows));
    for (size_t rank = 0; rank < row_by_rank_.size(); ++rank)
      row_by_rank_[rank] = static_cast<uint32_t>(popularity_(rank));
  }
}

void ForeignKeyGenerator::link(const TableGenerator* parent, size_t key_column) {
  parent_ = parent;
  key_column_ = key_column;
  key_is_foreign_key_ = parent->table().columns[key_column].ref.has_value();
  parent_key_unique_ =
      key_proven_unique(parent->table(), {parent->table().columns[key_column].name});
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

void ForeignKeyGenerator::choose_parent_rows(const Selection& rows, const Batch& batch,
                                             uint64_t* parents, ColumnVector& scratch) const {
  if (distinct_in_) {
    // One rank per family (keyed by the family's parent row), then one more per
    // child: n < the ranks, so the children of a family get distinct parents.
    const ColumnVector& family = batch.column(*distinct_in_);
    const ColumnVector* numbers = family.scratch_if_made();
    if (!numbers || numbers->size() != rows.size())
      throw InternalError("a foreign key read no child numbers from its fanout key");
    const uint64_t* families = family.parent_rows();
    const int64_t* nth = numbers->ints();
    const uint32_t* by_rank = row_by_rank_.empty() ? nullptr : row_by_rank_.data();
    for (size_t i = 0; i < rows.size(); ++i) {
      CounterEngine engine(key_, families[i]);
      uint64_t rank = picker_(engine) + static_cast<uint64_t>(nth[i]);
      if (rank >= domain_) rank %= domain_;
      parents[i] = by_rank ? by_rank[rank] : popularity_(rank);
    }
    return;
  }
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

void ForeignKeyGenerator::fill(const Selection& rows, const Batch& batch, ColumnVector& out) const {
  if (!parent_) throw InternalError("a foreign key generator was not linked to its parent");
  // The parent rows first, then their keys in one call; reset() keeps the rows.
  const size_t n = rows.size();
  uint64_t* parents = out.parent_rows(n);
  if (fanout_) {
    // The parent rows and the child numbers in one pass; the numbers wait in
    // the scratch vector for the child_number column.
    ColumnVector& numbers = out.scratch();
    numbers.reset(Datum::Kind::kInt, n);
    fanout_->locate(rows, parents, numbers.ints());
    if (!key_is_foreign_key_) {
      parent_->fill_column(key_column_, Selection::list(parents, n), out);
      return;
    }
    // The parent's key is a foreign key itself and fills this vector's parent
    // rows and scratch: both are set aside and put back.
    const std::vector<uint64_t> mine(parents, parents + n);
    const std::vector<int64_t> kept(numbers.ints(), numbers.ints() + n);
    parent_->fill_column(key_column_, Selection::list(mine.data(), n), out);
    std::copy(mine.begin(), mine.end(), out.parent_rows(n));
    ColumnVector& again = out.scratch();
    again.reset(Datum::Kind::kInt, n);
    std::copy(kept.begin(), kept.end(), again.ints());
    return;
  }
  choose_parent_rows(rows, batch, parents, out.scratch());
  fill_parent_keys(n, out);
}

void ForeignKeyGenerator::fill_parent_keys(size_t n, ColumnVector& out) const {
  const uint64_t* parents = out.parent_rows();
  if (!key_is_foreign_key_) {
    parent_->fill_column(key_column_, Selection::list(parents, n), out);
    return;
  }
  const std::vector<uint64_t> mine(parents, parents + n);
  parent_->fill_column(key_column_, Selection::list(mine.data(), n), out);
  std::copy(mine.begin(), mine.end(), out.parent_rows(n));
}

std::optional<ValueDomain> ForeignKeyGenerator::domain(int64_t rows) const {
  // Ranks name values only while each parent row holds a key of its own (a
  // parent keyed by (id, created_at) may repeat an id): else values are sampled.
  if (values_ || fanout_ || distinct_in_ || unique_ || !parent_key_unique_ || domain_ == 0 ||
      rows <= 0)
    return std::nullopt;
  if (dist_->kind == DistKind::kZipf || dist_->kind == DistKind::kHotset) {
    Distribution ranks = *dist_;  // as the picker weighs them: over the parents it can reach
    ranks.n = static_cast<int64_t>(domain_);
    return skewed_rank_counts(ranks, rows);
  }
  return uniform_counts(domain_, rows);
}

void ForeignKeyGenerator::fill_keys(const Selection& keys, ColumnVector& out) const {
  if (!parent_) throw InternalError("a foreign key generator was not linked to its parent");
  // The parent rows stay in the vector, as fill() leaves them: copy columns read them.
  const size_t n = keys.size();
  uint64_t* parents = out.parent_rows(n);
  const uint32_t* by_rank = row_by_rank_.empty() ? nullptr : row_by_rank_.data();
  keys.for_each(
      [&](size_t i, uint64_t rank) { parents[i] = by_rank ? by_rank[rank] : popularity_(rank); });
  fill_parent_keys(n, out);
}

namespace {

// The inverse of a modulo m (gcd(a, m) = 1), by the extended Euclidean algorithm.
uint64_t inverse_mod(uint64_t a, uint64_t m) {
  if (m <= 1) return 0;
  __int128 t = 0, next_t = 1, r = m, next_r = a;
  while (next_r != 0) {
    const __int128 q = r / next_r;
    t = std::exchange(next_t, t - q * next_t);
    r = std::exchange(next_r, r - q * next_r);
  }
  if (t < 0) t += m;
  return static_cast<uint64_t>(t);
}

}  // namespace

FanoutLayout::FanoutLayout(const ColumnContext& c, int64_t parent_rows, bool clustered)
    : rows_(static_cast<uint64_t>(std::max<int64_t>(c.rows, 0))),
      parents_(static_cast<uint64_t>(std::max<int64_t>(parent_rows, 0))),
      clustered_(clustered) {
  const std::vector<FanoutSize> split = fanout_sizes(c.column->dist, c.rows, parent_rows);
  used_ = fanout_parents(split);
  if (rows_ == 0) return;
  if (split.empty() || used_ > parent_rows)
    refuse(
        *c.table, *c.column, kEveryRow,
        fmt::format("its fan-out needs {} parent rows and {} has {}", used_,
                    c.column->ref ? c.column->ref->table : std::string("the parent"), parent_rows));
  // A stride near P / golden ratio, coprime with P: the ranks of consecutive
  // parents are far apart, so the parents used and the large families are
  // spread over the whole parent table.
  const uint64_t p = parents_;
  if (p > 0) by_parents_ = Divider(p);
  if (p > 1) {
    uint64_t a = std::clamp<uint64_t>(
        static_cast<uint64_t>(std::llround(static_cast<long double>(p) * 0.6180339887498949L)), 1,
        p - 1);
    while (std::gcd(a, p) != 1) a = a + 1 < p ? a + 1 : 1;
    stride_ = a;
    inverse_ = inverse_mod(a, p);
    offset_ = stream_key(c.seed, c.table->name, c.column->name, "fanout") % p;
  }
  uint64_t at_least = static_cast<uint64_t>(used_);
  for (const FanoutSize& s : split) {
    size_.push_back(s.size);
    at_least_.push_back(at_least);
    by_at_least_.emplace_back(at_least);
    at_least -= static_cast<uint64_t>(s.parents);
  }
  if (!clustered_) {
    segment_.push_back(0);
    int64_t previous = 0;
    for (size_t i = 0; i < size_.size(); ++i) {
      segment_.push_back(segment_.back() +
                         static_cast<uint64_t>(size_[i] - previous) * at_least_[i]);
      previous = size_[i];
    }
    order_ = std::make_unique<Permutation>(
        rows_, stream_key(c.seed, c.table->name, c.column->name, "fanout order"));
    return;
  }
  block_start_.resize(static_cast<size_t>((p + kBlock - 1) / kBlock));
  uint64_t position = 0, rank = rank_of(0);
  for (uint64_t parent = 0; parent < p; ++parent) {
    if (parent % kBlock == 0) block_start_[static_cast<size_t>(parent / kBlock)] = position;
    position += static_cast<uint64_t>(size_of_rank(rank));
    rank += stride_;
    if (rank >= p) rank -= p;
  }
  if (position != rows_)
    throw InternalError(fmt::format("fan-out of {}.{} lays out {} rows for {}", c.table->name,
                                    c.column->name, position, rows_));
}

uint64_t FanoutLayout::mulmod(uint64_t a, uint64_t b) const {
  if (parents_ <= (uint64_t{1} << 32)) {  // the product fits 64 bits
    uint64_t rest = 0;
    by_parents_.divmod(a * b, rest);
    return rest;
  }
  return static_cast<uint64_t>(static_cast<unsigned __int128>(a) * b % parents_);
}

int64_t FanoutLayout::size_of_rank(uint64_t rank) const {
  // at_least_ descends: the sizes whose threshold lies above the rank apply.
  const auto above = std::partition_point(at_least_.begin(), at_least_.end(),
                                          [rank](uint64_t t) { return t > rank; });
  const auto n = static_cast<size_t>(above - at_least_.begin());
  return n ? size_[n - 1] : 0;
}

uint64_t FanoutLayout::rank_of(uint64_t parent) const {
  if (parents_ <= 1) return 0;
  const uint64_t r = mulmod(parent, stride_) + offset_;
  return r >= parents_ ? r - parents_ : r;
}

uint64_t FanoutLayout::parent_of(uint64_t rank) const {
  if (parents_ <= 1) return 0;
  const uint64_t shifted = rank >= offset_ ? rank - offset_ : rank + parents_ - offset_;
  return mulmod(shifted, inverse_);
}

void FanoutLayout::locate_shuffled(uint64_t row, uint64_t& parent, int64_t& number) const {
  const uint64_t position = (*order_)(row);
  // The last segment starting at or before the position: a binary search the
  // compiler makes branch-free (positions are random, so branches would miss).
  const uint64_t* base = segment_.data();
  for (size_t len = segment_.size(); len > 1;) {
    const size_t half = len / 2;
    base += base[half] <= position ? half : 0;
    len -= half;
  }
  const auto i = static_cast<size_t>(base - segment_.data());
  const uint64_t offset = position - segment_[i];
  const int64_t first_round = i ? size_[i - 1] : 0;
  uint64_t rank = 0;
  number = first_round + static_cast<int64_t>(by_at_least_[i].divmod(offset, rank));
  parent = parent_of(rank);
}

void FanoutLayout::seek(uint64_t position, uint64_t& parent, uint64_t& start) const {
  const size_t b =
      static_cast<size_t>(std::upper_bound(block_start_.begin(), block_start_.end(), position) -
                          block_start_.begin() - 1);
  parent = static_cast<uint64_t>(b) * kBlock;
  start = block_start_[b];
  uint64_t rank = rank_of(parent);
  for (;;) {
    const auto size = static_cast<uint64_t>(size_of_rank(rank));
    if (start + size > position) return;
    start += size;
    ++parent;
    rank += stride_;
    if (rank >= parents_) rank -= parents_;
  }
}

void FanoutLayout::locate(const Selection& rows, uint64_t* parents, int64_t* numbers) const {
  const size_t n = rows.size();
  if (n == 0) return;
  bool outside = rows.is_range() && rows[n - 1] >= rows_;
  if (!rows.is_range()) rows.for_each([&](size_t, uint64_t row) { outside |= row >= rows_; });
  if (outside) throw InternalError("fan-out row out of range");
  if (!clustered_) {
    rows.for_each([&](size_t i, uint64_t row) {
      uint64_t parent = 0;
      int64_t number = 0;
      locate_shuffled(row, parent, number);
      if (parents) parents[i] = parent;
      if (numbers) numbers[i] = number;
    });
    return;
  }
  if (!rows.is_range()) {
    rows.for_each([&](size_t i, uint64_t row) {
      uint64_t parent = 0, start = 0;
      seek(row, parent, start);
      if (parents) parents[i] = parent;
      if (numbers) numbers[i] = static_cast<int64_t>(row - start);
    });
    return;
  }
  // A range: one seek, then a walk from parent to parent.
  uint64_t parent = 0, start = 0;
  seek(rows[0], parent, start);
  uint64_t rank = rank_of(parent);
  auto size = static_cast<uint64_t>(size_of_rank(rank));
  for (size_t i = 0; i < n; ++i) {
    const uint64_t position = rows[0] + i;
    while (position >= start + size) {
      start += size;
      ++parent;
      rank += stride_;
      if (rank >= parents_) rank -= parents_;
      size = static_cast<uint64_t>(size_of_rank(rank));
    }
    if (parents) parents[i] = parent;
    if (numbers) numbers[i] = static_cast<int64_t>(position - start);
  }
}

void ChildNumberGenerator::fill(const Selection& rows, const Batch& batch,
                                ColumnVector& out) const {
  const ColumnVector* numbers = batch.column(fk_column_).scratch_if_made();
  if (!numbers || numbers->size() != rows.size() || numbers->kind() != Datum::Kind::kInt)
    throw InternalError("a child_number column read no numbers from its fanout key");
  out.reset(Datum::Kind::kInt, rows.size());
  int64_t* values = out.ints();
  const int64_t* from = numbers->ints();
  for (size_t i = 0; i < rows.size(); ++i) values[i] = from[i] + start_;
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
