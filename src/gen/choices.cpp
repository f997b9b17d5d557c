// The choice family: weighted values, Zipf / hot-set ranks as values, random
// UUIDs, the NULL wrapper every nullable column gets, and the factory that
// picks a column's generator.
#include <algorithm>
#include <charconv>
#include <numeric>
#include <optional>

#include <fmt/format.h>

#include "gen/array_gen.hpp"
#include "gen/columns.hpp"
#include "gen/encode.hpp"
#include "gen/quota.hpp"
#include "gen/text_forms.hpp"
#include "gen/value_domain.hpp"
#include "pgshape/error.hpp"
#include "pgshape/util.hpp"

namespace pgshape::gen {
namespace {

// Zipf / hot-set ranks as values: start + rank, rank 0 the most frequent.
class SkewedRank : public ColumnGenerator, public DomainSource {
 public:
  explicit SkewedRank(const ColumnContext& c)
      : key_(stream_key(c.seed, c.table->name, c.column->name)),
        start_(c.column->dist.start),
        text_(c.column->type.is_textual()),
        picker_(c.column->dist, c.column->dist.n),
        dist_(&c.column->dist) {
    const __int128 last = static_cast<__int128>(start_) + c.column->dist.n - 1;
    if (last > INT64_MAX)
      refuse(
          *c.table, *c.column, kEveryRow,
          fmt::format("start {} + rank up to {} passes bigint's range", start_, c.column->dist.n));
  }
  Datum::Kind kind() const override { return text_ ? Datum::Kind::kText : Datum::Kind::kInt; }
  void fill(const Selection& rows, const Batch&, ColumnVector& out) const override {
    put(rows, out, [&](uint64_t row) {
      CounterEngine engine(key_, row);
      return picker_(engine);
    });
  }
  // Ranks as RankPicker weighs them: the hot ones `share` evenly, the rest zipf.
  std::optional<ValueDomain> domain(int64_t rows) const override {
    return skewed_rank_counts(*dist_, rows);
  }
  void fill_keys(const Selection& keys, ColumnVector& out) const override {
    put(keys, out, [](uint64_t rank) { return rank; });
  }
  bool keys_in_value_order() const override { return !text_; }  // "10" sorts before "9"

 private:
  template <class Rank>
  void put(const Selection& rows, ColumnVector& out, const Rank& rank) const {
    out.reset(kind(), rows.size());
    if (!text_) {
      int64_t* v = out.ints();
      rows.for_each(
          [&](size_t i, uint64_t row) { v[i] = start_ + static_cast<int64_t>(rank(row)); });
      return;
    }
    out.set_plain(true);  // digits and a sign
    rows.for_each([&](size_t i, uint64_t row) {
      char* p = out.text_room(24);
      out.set_text(i, p, std::to_chars(p, p + 24, start_ + static_cast<int64_t>(rank(row))).ptr);
    });
  }

  uint64_t key_;
  int64_t start_;
  bool text_;
  RankPicker picker_;
  const Distribution* dist_;  // in the profile, which outlives the generator
};

// Typed values with weights: booleans, numbers, dates, text from the profile.
// Each value (and, when the column's NULLs are placed here, NULL) gets exactly
// its share of the rows: see quota.hpp.
class Weighted : public ColumnGenerator, public DomainSource {
 public:
  explicit Weighted(const ColumnContext& c)
      : dist_(&c.column->dist),
        values_(c.column->dist.values),
        kind_(literal_kind(c.column->type)) {
    // Parsed once here, not per row; text datums point into values_, which
    // never changes after construction.
    for (const auto& v : values_) {
      datums_.push_back(weighted_literal(c.column->type, v));
      plain_ = plain_ && plain_text(v);
    }
    std::vector<double> weights(c.column->dist.weights.begin(), c.column->dist.weights.end());
    weights.resize(datums_.size(), 0);
    if (places_own_nulls(*c.column) && c.column->null_fraction > 0 && !datums_.empty()) {
      // The weights share the non-NULL rows; NULL is the last slot.
      const double null = std::min(c.column->null_fraction, 1.0);
      const double total = std::accumulate(weights.begin(), weights.end(), 0.0);
      for (auto& w : weights) w = total > 0 ? w / total * (1 - null) : 0;
      weights.push_back(null);
      datums_.push_back(Datum::null());
    }
    picker_.emplace(weights, c.rows, stream_key(c.seed, c.table->name, c.column->name));
  }
  Datum::Kind kind() const override { return kind_; }
  void fill(const Selection& rows, const Batch&, ColumnVector& out) const override {
    out.reset(kind_, rows.size());
    if (datums_.empty()) {  // validated profiles have values; without any, every row is NULL
      std::fill_n(out.nulls(), rows.size(), uint8_t{1});
      return;
    }
    if (kind_ == Datum::Kind::kText || kind_ == Datum::Kind::kUuid) out.set_plain(plain_);
    rows.for_each([&](size_t i, uint64_t row) { store_datum(out, i, datums_[(*picker_)(row)]); });
  }
  // The quotas themselves, over the values alone (a pair key's NULLs are drawn on top).
  std::optional<ValueDomain> domain(int64_t rows) const override {
    return weighted_counts(*dist_, rows);
  }
  void fill_keys(const Selection& keys, ColumnVector& out) const override {
    out.reset(kind_, keys.size());
    if (kind_ == Datum::Kind::kText || kind_ == Datum::Kind::kUuid) out.set_plain(plain_);
    keys.for_each([&](size_t i, uint64_t k) { store_datum(out, i, datums_[k]); });
  }

 private:
  const Distribution* dist_;  // in the profile, which outlives the generator
  std::vector<std::string> values_;
  Datum::Kind kind_;
  std::vector<Datum> datums_;
  std::optional<QuotaPicker> picker_;
  bool plain_ = true;
};

class UuidGenerator : public ColumnGenerator {
 public:
  explicit UuidGenerator(const ColumnContext& c)
      : key_(stream_key(c.seed, c.table->name, c.column->name)),
        text_(c.column->type.is_textual()) {}
  Datum::Kind kind() const override { return text_ ? Datum::Kind::kText : Datum::Kind::kUuid; }
  void fill(const Selection& rows, const Batch&, ColumnVector& out) const override {
    out.reset(kind(), rows.size());
    out.set_plain(true);  // hex digits and hyphens
    Uuid* uuids = out.uuids();
    rows.for_each([&](size_t i, uint64_t row) {
      CounterEngine engine(key_, row);
      Uuid u;
      u.hi = (engine() & ~0xF000ULL) | 0x4000ULL;        // version 4
      u.lo = (engine() & ~(3ULL << 62)) | (2ULL << 62);  // RFC 4122 variant
      if (!text_) {
        uuids[i] = u;
        return;
      }
      char* p = out.text_room(36);
      out.set_text(i, p, put_uuid(p, u));
    });
  }

 private:
  uint64_t key_;
  bool text_;
};

class Nullable : public ColumnGenerator {
 public:
  Nullable(std::unique_ptr<ColumnGenerator> inner, uint64_t key, double fraction)
      : inner_(std::move(inner)), key_(key), null_(fraction) {}
  Datum::Kind kind() const override { return inner_->kind(); }
  std::vector<size_t> inputs() const override { return inner_->inputs(); }
  void fill(const Selection& rows, const Batch& batch, ColumnVector& out) const override {
    // The inner values of NULL rows are drawn too: cheaper than a branch per row.
    inner_->fill(rows, batch, out);
    uint8_t* nulls = out.nulls();
    rows.for_each([&](size_t i, uint64_t row) { nulls[i] |= null_(key_, row); });
  }

 private:
  std::unique_ptr<ColumnGenerator> inner_;
  uint64_t key_;
  Chance null_;  // this row is NULL
};

}  // namespace

void refuse(const Table& table, const Column& column, uint64_t row, std::string_view what) {
  const std::string where = row == kEveryRow ? "" : fmt::format(" row {}", row);
  throw InternalError(fmt::format(
      "{}.{}{}: {} (column type {}): refused rather than wrapped; validate should have refused "
      "this profile",
      table.name, column.name, where, what, column.type.sql()));
}

Datum::Kind literal_kind(const ColumnType& type) {
  if (type.is_textual() || type.kind == PgType::kUuid) return Datum::Kind::kText;
  if (type.kind == PgType::kBoolean) return Datum::Kind::kBool;
  if (type.is_fractional()) return Datum::Kind::kFloat;
  return Datum::Kind::kInt;  // integers, days, microseconds
}

Datum weighted_literal(const ColumnType& type, const std::string& text) {
  // Values are checked against the type when the profile is validated.
  if (type.is_textual()) return Datum::string(text);
  if (type.kind == PgType::kBoolean) return Datum::boolean(text == "true" || text == "t");
  if (type.is_integer()) {
    int64_t v = 0;
    std::from_chars(text.data(), text.data() + text.size(), v);
    return Datum::integer(v);
  }
  if (type.is_fractional()) {
    double v = 0;
    std::from_chars(text.data(), text.data() + text.size(), v);
    return Datum::real(v);
  }
  if (type.kind == PgType::kDate) return Datum::integer(parse_pg_date(text).value_or(0));
  if (type.is_temporal()) return Datum::integer(parse_pg_timestamp(text).value_or(0));
  return Datum::string(text);  // uuid literals pass through as text
}

void store_datum(ColumnVector& out, size_t i, const Datum& d) {
  switch (d.kind) {
    case Datum::Kind::kNull:
      out.nulls()[i] = 1;
      return;
    case Datum::Kind::kInt:
    case Datum::Kind::kBool:
      out.ints()[i] = d.i;
      return;
    case Datum::Kind::kFloat:
      out.floats()[i] = d.f;
      return;
    case Datum::Kind::kUuid:
      out.uuids()[i] = {d.uuid_hi, d.uuid_lo};
      return;
    case Datum::Kind::kText:
      out.set_text(i, d.text);
      return;
  }
}

std::unique_ptr<ColumnGenerator> make_value_generator(const ColumnContext& c) {
  const Distribution& d = c.column->dist;
  const bool unique =
      c.column->unique || (c.column->primary_key && c.table->primary_key.size() == 1);
  switch (d.kind) {
    case DistKind::kZipf:
    case DistKind::kHotset:
      return std::make_unique<SkewedRank>(c);
    case DistKind::kWeighted:
      return std::make_unique<Weighted>(c);
    case DistKind::kUuid:
      return std::make_unique<UuidGenerator>(c);
    case DistKind::kEmpirical:
      return make_empirical_generator(c);
    case DistKind::kArray:
      return make_array_generator(c);
    case DistKind::kDocument:
      return make_document_generator(c);
    case DistKind::kRange:
      return make_range_generator(c);
    case DistKind::kWords:
    case DistKind::kPattern:
      return make_text_generator(c, unique);
    case DistKind::kCopy:
    case DistKind::kFanout:
    case DistKind::kChildNumber:
      break;
    default:
      return make_number_generator(c, unique);
  }
  throw InternalError(
      "make_value_generator: foreign keys, copies and child numbers are built by the dataset");
}

std::unique_ptr<ColumnGenerator> with_nulls(std::unique_ptr<ColumnGenerator> inner,
                                            const ColumnContext& c, double fraction) {
  if (fraction <= 0) return inner;
  return std::make_unique<Nullable>(
      std::move(inner), stream_key(c.seed, c.table->name, c.column->name, "null"), fraction);
}

}  // namespace pgshape::gen
