// Column vectors, and the single value as the batch of one.
#include <algorithm>
#include <cstring>

#include "pgshape/error.hpp"
#include "pgshape/gen.hpp"

namespace pgshape {
namespace {

template <class T>
void ensure(std::vector<T>& lane, size_t n) {
  if (lane.size() < n) lane.resize(std::max(n, lane.size() * 2));
}

}  // namespace

void ColumnVector::reset(Datum::Kind kind, size_t n) {
  kind_ = kind;
  size_ = n;
  ensure(nulls_, n);
  std::memset(nulls_.data(), 0, n);
  plain_ = false;
  switch (kind) {
    case Datum::Kind::kInt:
    case Datum::Kind::kBool:
      ensure(ints_, n);
      break;
    case Datum::Kind::kFloat:
      ensure(floats_, n);
      break;
    case Datum::Kind::kUuid:
      ensure(uuids_, n);
      break;
    case Datum::Kind::kText:
      ensure(offsets_, n);  // a NULL row's text is never read
      ensure(lengths_, n);
      arena_.clear();
      break;
    case Datum::Kind::kNull:
      break;
  }
}

void ColumnVector::grow_arena(size_t bytes) {
  if (arena_.size() + bytes > UINT32_MAX)
    throw InternalError("a batch's text passed 4 GB: make the batch smaller");
  arena_.reserve(arena_.size() + bytes);
}

void ColumnVector::set_text(size_t i, std::string_view text) {
  char* p = text_room(text.size());
  if (!text.empty()) std::memcpy(p, text.data(), text.size());
  set_text(i, p, p + text.size());
}

uint64_t* ColumnVector::parent_rows(size_t n) {
  ensure(parent_rows_, n);
  return parent_rows_.data();
}

ColumnVector& ColumnVector::scratch() {
  if (!scratch_) scratch_ = std::make_unique<ColumnVector>();
  return *scratch_;
}

Datum ColumnVector::datum(size_t i) const {
  if (nulls_[i]) return Datum::null();
  switch (kind_) {
    case Datum::Kind::kInt:
      return Datum::integer(ints_[i]);
    case Datum::Kind::kBool: {
      Datum d = Datum::boolean(ints_[i] != 0);
      d.i = ints_[i];  // as filled
      return d;
    }
    case Datum::Kind::kFloat:
      return Datum::real(floats_[i]);
    case Datum::Kind::kUuid: {
      Datum d;
      d.kind = Datum::Kind::kUuid;
      d.uuid_hi = uuids_[i].hi;
      d.uuid_lo = uuids_[i].lo;
      return d;
    }
    case Datum::Kind::kText: {
      Datum d = Datum::string(text(i));
      d.plain = plain_;
      return d;
    }
    case Datum::Kind::kNull:
      break;
  }
  return Datum::null();
}

Datum ColumnGenerator::value(uint64_t row, std::string& scratch) const {
  ColumnVector one;
  const Selection rows = Selection::range(row, 1);
  if (table_)
    table_->fill_column(index_, rows, one);
  else
    fill(rows, Batch(0), one);
  Datum d = one.datum(0);
  if (d.kind == Datum::Kind::kText) {
    scratch.assign(d.text);
    d.text = scratch;
  }
  return d;
}

}  // namespace pgshape
