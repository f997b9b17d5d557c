// A column drawn conditionally on another column of its row (`given:`).
#include "gen/dependent.hpp"

#include <fmt/format.h>
#include <algorithm>
#include <cstring>
#include <map>
#include <unordered_map>

#include "pgshape/error.hpp"

namespace pgshape::gen {
namespace {

class Dependent : public ColumnGenerator {
 public:
  Dependent(const ColumnContext& context, std::unique_ptr<ColumnGenerator> own, size_t parent)
      : parent_(parent) {
    const Column& column = *context.column;
    const Column* parent_column = &context.table->columns.at(parent);
    parent_type_ = parent_column->type;
    kind_ = own->kind();
    for (size_t i = 0; i < column.given->cases.size(); ++i) {
      const GivenCase& c = column.given->cases[i];
      // The case's column: the same name (and so the same random streams), its
      // own distribution. Kept by pointer: generators point at their column.
      auto copy = std::make_unique<Column>(column);
      copy->given.reset();
      if (c.dist.kind == DistKind::kWeighted)
        copy->null_fraction = 0;  // the column's NULL wrapper places them, not the case too
      copy->dist = c.dist;
      ColumnContext at = context;
      at.column = copy.get();
      auto generator = make_value_generator(at);
      if (generator->kind() != kind_ || !generator->inputs().empty())
        throw InternalError(fmt::format(
            "case '{}' of {}.{} makes values of another kind than the column's own dist", c.value,
            context.table->name, column.name));
      columns_.push_back(std::move(copy));
      cases_.push_back(std::move(generator));
      const int index = static_cast<int>(i);
      if (c.is_range) {
        ranges_.push_back({c.lo, c.hi, index});
        continue;
      }
      const Datum d = weighted_literal(parent_type_, c.value);
      switch (d.kind) {
        case Datum::Kind::kInt:
        case Datum::Kind::kBool:
          ints_.emplace(d.i, index);
          break;
        case Datum::Kind::kFloat:
          floats_.emplace(d.f, index);
          break;
        default:
          texts_.emplace(c.value, index);
          break;
      }
    }
    cases_.push_back(std::move(own));  // the default: last
    degree_ = Chance(column.given->degree);
    functional_ = column.given->degree > 0;
    rows_ = static_cast<uint64_t>(std::max<int64_t>(context.rows, 1));
    key_ = stream_key(context.seed, context.table->name, column.name, "given");
  }

  Datum::Kind kind() const override { return kind_; }
  std::vector<size_t> inputs() const override { return {parent_}; }

  void fill(const Selection& rows, const Batch& batch, ColumnVector& out) const override {
    const ColumnVector& parent = batch.column(parent_);
    const size_t n = rows.size();
    const int own = static_cast<int>(cases_.size()) - 1;
    // Slots: the cases, the column's own dist per row, and (functional) the own
    // dist at a row that the parent's value picks, so equal parents get equal values.
    const int mapped = own + 1;
    const size_t slots = cases_.size() + 1;
    thread_local std::vector<int> which;
    thread_local std::vector<uint64_t> at;  // the row each value is drawn at
    thread_local std::vector<size_t> counts;
    which.resize(n);
    at.resize(n);
    counts.assign(slots, 0);
    std::string scratch;
    for (size_t i = 0; i < n; ++i) {
      int c = own;
      at[i] = rows[i];
      if (!parent.nulls()[i]) {
        c = match(parent, i, scratch);
        if (c < 0) {
          c = own;
          if (functional_) {
            const uint64_t h = value_hash(parent, i);
            if (degree_(key_, h)) {
              c = mapped;
              at[i] = mix64(h ^ key_) % rows_;
            }
          }
        }
      }
      which[i] = c;
      ++counts[c];
    }
    // One case for the whole batch (the parent is sorted or constant): no scatter.
    for (int c = 0; c < own + 1; ++c)
      if (counts[c] == n) {
        cases_[c]->fill(rows, Batch(0), out);
        return;
      }
    out.reset(kind_, n);
    // The rows of each slot, grouped in one pass (a counting sort by slot).
    thread_local std::vector<size_t> first;
    thread_local std::vector<uint64_t> picked;
    thread_local std::vector<uint32_t> where;
    first.assign(slots + 1, 0);
    for (size_t c = 0; c < slots; ++c) first[c + 1] = first[c] + counts[c];
    picked.resize(n);
    where.resize(n);
    for (size_t i = 0; i < n; ++i) {
      const size_t k = first[which[i]]++;
      picked[k] = at[i];
      where[k] = static_cast<uint32_t>(i);
    }
    ColumnVector& part = out.scratch();
    size_t begin = 0;
    for (size_t c = 0; c < slots; ++c) {
      const size_t size = counts[c];
      if (size == 0) continue;
      const int g = static_cast<int>(c) == mapped ? own : static_cast<int>(c);
      cases_[g]->fill(Selection::list(picked.data() + begin, size), Batch(0), part);
      const uint32_t* to = where.data() + begin;
      uint8_t* nulls = out.nulls();
      for (size_t k = 0; k < size; ++k) nulls[to[k]] = part.nulls()[k];
      switch (kind_) {
        case Datum::Kind::kInt:
        case Datum::Kind::kBool:
          for (size_t k = 0; k < size; ++k) out.ints()[to[k]] = part.ints()[k];
          break;
        case Datum::Kind::kFloat:
          for (size_t k = 0; k < size; ++k) out.floats()[to[k]] = part.floats()[k];
          break;
        case Datum::Kind::kUuid:
          for (size_t k = 0; k < size; ++k) out.uuids()[to[k]] = part.uuids()[k];
          break;
        default:
          for (size_t k = 0; k < size; ++k)
            if (!part.nulls()[k]) out.set_text(to[k], part.text(k));
          break;
      }
      begin += size;
    }
    out.set_plain(false);  // text from several cases: not known plain
  }

 private:
  // The case of row i of the parent's vector, or -1.
  int match(const ColumnVector& parent, size_t i, std::string& scratch) const {
    switch (parent.kind()) {
      case Datum::Kind::kInt:
      case Datum::Kind::kBool: {
        const int64_t v = parent.ints()[i];
        if (!ints_.empty())
          if (auto it = ints_.find(v); it != ints_.end()) return it->second;
        return in_range(static_cast<double>(v));
      }
      case Datum::Kind::kFloat: {
        const double v = parent.floats()[i];
        if (!floats_.empty())
          if (auto it = floats_.find(v); it != floats_.end()) return it->second;
        return in_range(v);
      }
      case Datum::Kind::kText: {
        if (auto it = texts_.find(parent.text(i)); it != texts_.end()) return it->second;
        return -1;
      }
      case Datum::Kind::kUuid: {
        scratch = value_text(parent.datum(i), parent_type_);
        if (auto it = texts_.find(std::string_view(scratch)); it != texts_.end()) return it->second;
        return -1;
      }
      case Datum::Kind::kNull:
        return -1;
    }
    return -1;
  }
  // A hash of row i's parent value: the same value, the same hash.
  uint64_t value_hash(const ColumnVector& parent, size_t i) const {
    switch (parent.kind()) {
      case Datum::Kind::kInt:
      case Datum::Kind::kBool:
        return mix64(static_cast<uint64_t>(parent.ints()[i]));
      case Datum::Kind::kFloat: {
        const double v = parent.floats()[i] == 0 ? 0.0 : parent.floats()[i];  // -0 is 0
        uint64_t bits;
        std::memcpy(&bits, &v, sizeof bits);
        return mix64(bits);
      }
      case Datum::Kind::kText:
        return hash_name(parent.text(i));
      case Datum::Kind::kUuid:
        return mix64(parent.uuids()[i].hi ^ mix64(parent.uuids()[i].lo));
      case Datum::Kind::kNull:
        break;
    }
    return 0;
  }
  int in_range(double v) const {
    for (const auto& r : ranges_)
      if (v >= r.lo && v <= r.hi) return r.index;
    return -1;
  }

  struct Range {
    double lo, hi;
    int index;
  };
  size_t parent_;
  ColumnType parent_type_;
  Datum::Kind kind_;
  std::vector<std::unique_ptr<Column>> columns_;
  std::vector<std::unique_ptr<ColumnGenerator>> cases_;  // the cases, then the column's own
  std::unordered_map<int64_t, int> ints_;
  std::map<double, int> floats_;
  std::map<std::string, int, std::less<>> texts_;
  std::vector<Range> ranges_;  // in the order written: the first that holds a value wins
  Chance degree_{0};
  bool functional_ = false;
  uint64_t rows_ = 1;
  uint64_t key_ = 0;
};

}  // namespace

std::unique_ptr<ColumnGenerator> make_dependent_generator(const ColumnContext& context,
                                                          std::unique_ptr<ColumnGenerator> own,
                                                          size_t parent) {
  if (!context.column->given) return own;
  return std::make_unique<Dependent>(context, std::move(own), parent);
}

}  // namespace pgshape::gen
