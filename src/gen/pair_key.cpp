// Composite keys built by pairing (gen/pair_key.hpp).
#include "gen/pair_key.hpp"

#include <fmt/format.h>
#include <algorithm>
#include <numeric>
#include <utility>

#include "pgshape/error.hpp"

namespace pgshape::gen {

namespace {

// At most this many rows are sampled for a column's value domain: a domain
// (and the sort that finds it) stays a few tens of MB at any table size.
constexpr uint64_t kSampleRows = uint64_t{1} << 21;
constexpr size_t kChunk = 4096;

// What tells two values apart on the server: the text COPY writes (a float
// rounded as numeric(p,s) rounds it, character(n) without its padding).
uint64_t value_hash(const ColumnVector& v, size_t i, const ColumnType& type) {
  if (v.kind() == Datum::Kind::kInt || v.kind() == Datum::Kind::kBool)
    return mix64(static_cast<uint64_t>(v.ints()[i]) ^ 0x5bd1e995u);
  std::string text = value_text(v.datum(i), type);
  if (type.kind == PgType::kChar)
    while (!text.empty() && text.back() == ' ') text.pop_back();
  return hash_name(text);
}

}  // namespace

PairSource::PairSource(const ColumnContext& family, std::vector<const Column*> members,
                       std::unique_ptr<ColumnGenerator> family_values,
                       std::vector<std::unique_ptr<ColumnGenerator>> member_values)
    : seed_(family.seed),
      table_(family.table),
      family_(family.column),
      members_(std::move(members)),
      rows_(std::max<int64_t>(family.rows, 0)),
      family_values_(std::move(family_values)),
      member_values_(std::move(member_values)) {}

PairSource::Domain PairSource::sample(const std::vector<const ColumnGenerator*>& values,
                                      const std::vector<const Column*>& columns) const {
  const auto rows = static_cast<uint64_t>(rows_);
  const uint64_t n = std::min(rows, kSampleRows);
  // Rows spread over the whole table: a value order that follows the rows
  // (correlation, timelines) is sampled whole.
  std::vector<std::pair<uint64_t, uint64_t>> seen;  // (value hash, row)
  seen.reserve(static_cast<size_t>(n));
  std::vector<uint64_t> chunk;
  std::vector<ColumnVector> out(values.size());
  std::vector<uint64_t> hashes;
  for (uint64_t i = 0; i < n;) {
    chunk.clear();
    for (; i < n && chunk.size() < kChunk; ++i)
      chunk.push_back(
          n == rows ? i : static_cast<uint64_t>(static_cast<unsigned __int128>(i) * rows / n));
    // A tuple with a NULL is left out: its rows take NULLs from the key's own share.
    hashes.assign(chunk.size(), 0);
    std::vector<uint8_t> null(chunk.size(), 0);
    for (size_t c = 0; c < values.size(); ++c) {
      values[c]->fill(Selection::list(chunk.data(), chunk.size()), Batch(0), out[c]);
      for (size_t k = 0; k < chunk.size(); ++k) {
        null[k] |= out[c].nulls()[k];
        if (!null[k]) hashes[k] = mix64(hashes[k] ^ value_hash(out[c], k, columns[c]->type));
      }
    }
    for (size_t k = 0; k < chunk.size(); ++k)
      if (!null[k]) seen.emplace_back(hashes[k], chunk[k]);
  }
  std::sort(seen.begin(), seen.end());
  struct Value {
    uint64_t hash, row;
    int64_t count;
  };
  std::vector<Value> distinct;
  for (size_t k = 0; k < seen.size(); ++k) {
    if (k == 0 || seen[k].first != seen[k - 1].first)
      distinct.push_back({seen[k].first, seen[k].second, 0});
    ++distinct.back().count;
  }
  const auto sampled = static_cast<int64_t>(seen.size());
  std::vector<std::pair<uint64_t, uint64_t>>().swap(seen);
  if (distinct.empty())
    refuse(*table_, *columns[0], kEveryRow, "a composite key column whose values are all NULL");
  // The sample's counts scaled to the table's rows, largest remainders first.
  Domain d;
  // Remainder (< sampled <= 2^21) descending, then value (hash order) ascending, packed.
  std::vector<uint64_t> rest;
  int64_t given = 0;
  for (size_t k = 0; k < distinct.size(); ++k) {
    const unsigned __int128 exact =
        static_cast<unsigned __int128>(distinct[k].count) * static_cast<uint64_t>(rows_);
    const auto whole = static_cast<int64_t>(exact / static_cast<uint64_t>(sampled));
    const auto remainder = static_cast<uint64_t>(exact % static_cast<uint64_t>(sampled));
    rest.push_back((uint64_t{UINT32_MAX} - remainder) << 32 | static_cast<uint64_t>(k));
    distinct[k].count = whole;
    given += whole;
  }
  if (given < rows_) {  // else every row was sampled: the counts are exact
    std::sort(rest.begin(), rest.end());
    for (size_t k = 0; given < rows_; k = (k + 1) % rest.size(), ++given)
      ++distinct[rest[k] & UINT32_MAX].count;
  }
  std::vector<uint64_t>().swap(rest);
  std::sort(distinct.begin(), distinct.end(), [](const Value& a, const Value& b) {
    return a.count != b.count ? a.count > b.count : a.hash < b.hash;
  });
  while (!distinct.empty() && distinct.back().count == 0) distinct.pop_back();
  for (const Value& v : distinct) {
    d.rows.push_back(v.row);
    d.counts.push_back(v.count);
  }
  return d;
}

void PairSource::prepare() const {
  std::call_once(once_, [this] {
    if (rows_ == 0) return;
    Domain families = sample({family_values_.get()}, {family_});
    // Clustered: equal counts in value order, so a family's k-th member and
    // the k-th family of a size follow the key (pair_order.cpp).
    if (clustered())
      order_equal_counts({family_values_.get()}, {family_}, families.counts, families.rows);
    std::vector<const ColumnGenerator*> makers;
    std::string names = family_->name;
    for (const auto& m : member_values_) makers.push_back(m.get());
    for (const Column* m : members_) names += ", " + m->name;
    Domain members = sample(makers, members_);
    if (clustered()) order_equal_counts(makers, members_, members.counts, members.rows);
    layout_.emplace(families.counts, members.counts,
                    fmt::format("composite key ({}) of {}", names, table_->name));
    family_rows_ = std::move(families.rows);
    member_rows_ = std::move(members.rows);
    const uint64_t key = stream_key(seed_, table_->name, names, "pairs");
    if (clustered())
      clustered_.emplace(*layout_, value_order({family_values_.get()}, {family_}, family_rows_),
                         cluster_correlation(*family_), key);
    else
      order_.emplace(static_cast<uint64_t>(rows_), key);
  });
}

void PairSource::locate(const Selection& rows, uint64_t* family_rows, uint64_t* member_rows) const {
  prepare();
  const auto total = static_cast<uint64_t>(rows_);
  rows.for_each([&](size_t i, uint64_t row) {
    if (row >= total) throw InternalError("composite key row out of range");
    uint64_t family = 0, member = 0;
    layout_->locate(clustered_ ? (*clustered_)(row) : (*order_)(row), family, member);
    family_rows[i] = family_rows_[family];
    member_rows[i] = member_rows_[member];
  });
}

void PairFamilyGenerator::fill(const Selection& rows, const Batch& batch, ColumnVector& out) const {
  const size_t n = rows.size();
  std::vector<uint64_t> families(n), members(n);
  source_->locate(rows, families.data(), members.data());
  source_->family_values().fill(Selection::list(families.data(), n), batch, out);
  // After the values: a foreign key family uses the scratch on its way.
  ColumnVector& scratch = out.scratch();
  scratch.reset(Datum::Kind::kInt, n);
  for (size_t i = 0; i < n; ++i) scratch.ints()[i] = static_cast<int64_t>(members[i]);
}

void PairMemberGenerator::fill(const Selection& rows, const Batch& batch, ColumnVector& out) const {
  const ColumnVector* chosen = batch.column(family_column_).scratch_if_made();
  if (!chosen || chosen->size() != rows.size() || chosen->kind() != Datum::Kind::kInt)
    throw InternalError("a composite key's second column read no pairs from its first");
  const size_t n = rows.size();
  std::vector<uint64_t> members(n);
  for (size_t i = 0; i < n; ++i) members[i] = static_cast<uint64_t>(chosen->ints()[i]);
  source_->member_values(member_).fill(Selection::list(members.data(), n), batch, out);
}

}  // namespace pgshape::gen
