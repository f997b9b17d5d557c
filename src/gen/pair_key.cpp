// Composite keys built by pairing (gen/pair_key.hpp).
#include "gen/pair_key.hpp"

#include <fmt/format.h>
#include <algorithm>
#include <cstdio>
#include <numeric>
#include <utility>

#include "pgshape/error.hpp"

namespace pgshape::gen {

namespace {

// The fallback, for distributions that cannot tell their domain (empirical
// shapes and keys, text forms, tuples of several members): at most
// this many rows are sampled. Not fewer: a member domain needs at least as
// many distinct values as the largest family has rows, and a sample cannot
// show more distinct values than it has rows.
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

// Rows the layout moves take another value than their distribution gave
// them: said once per key, when more than a trivial share (a per-mille), as
// the planner may see the shift.
void note_moved(const std::string& key, int64_t moved, int64_t rows) {
  if (rows <= 0 || moved * 1000 <= rows) return;
  fmt::print(stderr,
             "pgshape: note: {}: {} of {} rows ({:.1f} %) hold another value than their "
             "columns' distributions give, so that every pair is distinct (a value more "
             "frequent than the first column has values, or a first-column value more "
             "frequent than the others have)\n",
             key, moved, rows, 100.0 * static_cast<double>(moved) / static_cast<double>(rows));
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
    d.keys.push_back(v.row);
    d.counts.push_back(v.count);
  }
  return d;
}

PairSource::Domain PairSource::domain(const std::vector<const ColumnGenerator*>& values,
                                      const std::vector<const Column*>& columns) const {
  // One column whose distribution tells its values; a tuple's would be the
  // product of its columns' domains, sampled instead.
  const auto* from = values.size() == 1 ? dynamic_cast<const DomainSource*>(values[0]) : nullptr;
  if (from)
    if (std::optional<ValueDomain> exact = from->domain(rows_)) {
      Domain d;
      static_cast<ValueDomain&>(d) = std::move(*exact);
      d.from = from;
      return d;
    }
  return sample(values, columns);
}

DomainFill PairSource::filler(const Domain& d, const std::vector<const ColumnGenerator*>& makers) {
  const DomainSource* from = d.from;
  return [from, makers](size_t c, const Selection& keys, ColumnVector& out) {
    if (from) return from->fill_keys(keys, out);
    makers[c]->fill(keys, Batch(0), out);  // representative rows
  };
}

void PairSource::prepare() const {
  std::call_once(once_, [this] {
    if (rows_ == 0) return;
    Domain families = domain({family_values_.get()}, {family_});
    const std::vector<const ColumnGenerator*> family_maker = {family_values_.get()};
    // Clustered: equal counts in value order, so a family's k-th member and
    // the k-th family of a size follow the key (pair_order.cpp); that needs
    // every value listed.
    if (clustered()) {
      families.materialize();
      order_equal_counts(filler(families, family_maker), {family_}, families.counts, families.keys);
    }
    std::vector<const ColumnGenerator*> makers;
    std::string names = family_->name;
    for (const auto& m : member_values_) makers.push_back(m.get());
    for (const Column* m : members_) names += ", " + m->name;
    Domain members = domain(makers, members_);
    // Members whose keys ascend with their values are in value order within
    // a count already: left as runs, their memory stays flat.
    if (clustered() && !(members.from && members.from->keys_in_value_order())) {
      members.materialize();
      order_equal_counts(filler(members, makers), members_, members.counts, members.keys);
    }
    const std::string key = fmt::format("composite key ({}) of {}", names, table_->name);
    layout_.emplace(count_runs(families), count_runs(members), key);
    note_moved(key, layout_->moved(), rows_);
    std::vector<int64_t>().swap(families.counts);
    std::vector<int64_t>().swap(members.counts);
    family_keys_ = std::move(families);
    member_keys_ = std::move(members);
    const uint64_t order_key = stream_key(seed_, table_->name, names, "pairs");
    if (clustered())
      clustered_.emplace(
          *layout_, value_order(filler(family_keys_, family_maker), {family_}, family_keys_.keys),
          cluster_correlation(*family_), order_key);
    else
      order_.emplace(static_cast<uint64_t>(rows_), order_key);
  });
}

void PairSource::locate(const Selection& rows, uint64_t* family_keys, uint64_t* member_keys) const {
  prepare();
  const auto total = static_cast<uint64_t>(rows_);
  rows.for_each([&](size_t i, uint64_t row) {
    if (row >= total) throw InternalError("composite key row out of range");
    layout_->locate(clustered_ ? (*clustered_)(row) : (*order_)(row), family_keys[i],
                    member_keys[i]);
  });
  // Indices to keys apart from the layout: a listed domain is megabytes and
  // rows pick it at random, so this loop keeps many cache misses in flight.
  for (size_t i = 0; i < rows.size(); ++i) {
    family_keys[i] = family_keys_.key(family_keys[i]);
    member_keys[i] = member_keys_.key(member_keys[i]);
  }
}

void PairSource::fill_family(const Selection& keys, const Batch& batch, ColumnVector& out) const {
  if (family_keys_.from) return family_keys_.from->fill_keys(keys, out);
  family_values_->fill(keys, batch, out);  // representative rows
}

void PairSource::fill_member(size_t i, const Selection& keys, const Batch& batch,
                             ColumnVector& out) const {
  if (member_keys_.from) return member_keys_.from->fill_keys(keys, out);
  member_values_[i]->fill(keys, batch, out);  // representative rows of the tuples
}

void PairFamilyGenerator::fill(const Selection& rows, const Batch& batch, ColumnVector& out) const {
  const size_t n = rows.size();
  std::vector<uint64_t> families(n), members(n);
  source_->locate(rows, families.data(), members.data());
  source_->fill_family(Selection::list(families.data(), n), batch, out);
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
  source_->fill_member(member_, Selection::list(members.data(), n), batch, out);
}

}  // namespace pgshape::gen
