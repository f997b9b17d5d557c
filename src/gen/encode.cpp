// Rows to COPY text and CSV, batch by batch from the column vectors: one need()
// per batch for the room every row may take, then each value straight into the
// output buffer in its text form (text_forms.hpp), escaped or quoted only when
// its text is not known plain.
#include <cstring>

#include <fmt/format.h>

#include "gen/encode.hpp"
#include "gen/text_forms.hpp"
#include "pgshape/error.hpp"
#include "pgshape/gen.hpp"

namespace pgshape::gen {

RowEncoder::RowEncoder(const TableGenerator& table, RowFormat format)
    : table_(table), format_(format), batch_(table.column_count()) {
  for (size_t c = 0; c < table.column_count(); ++c) {
    const Column& column = table.table().columns[c];
    if (!column.generated.empty()) continue;  // the server computes it; COPY names it not
    const Datum::Kind kind = table.column(c).kind();
    Field f{
        text_op(column.type, kind), 0, text_op_room(text_op(column.type, kind)) + 1, &column.type,
        &batch_.column(c),          {}};
    if (format == RowFormat::kCopyBinary) f.binary = binary_op(column, kind, f.room);
    fields_.push_back(f);
  }
}

void RowEncoder::encode(uint64_t begin, uint64_t end, ByteBuffer& out) {
  for (uint64_t first = begin; first < end; first += kBatchRows) {
    const size_t n = static_cast<size_t>(std::min<uint64_t>(kBatchRows, end - first));
    write_batch(Selection::range(first, n), out);
  }
}

void RowEncoder::encode(const uint64_t* rows, size_t n, ByteBuffer& out) {
  for (size_t first = 0; first < n; first += kBatchRows)
    write_batch(Selection::list(rows + first, std::min(kBatchRows, n - first)), out);
}

void RowEncoder::write_batch(const Selection& rows, ByteBuffer& out) {
  const size_t n = rows.size();
  table_.fill(rows, batch_);
  table_.check_fits(batch_);
  for (Field& f : fields_) f.lanes = Lanes::of(*f.v);
  if (format_ == RowFormat::kCopyBinary)
    write_binary_rows(fields_, n, out);
  else
    write_text_rows(fields_, n, format_ == RowFormat::kCsv, out);
}

namespace {

// Writes a text value at p, escaped for COPY or quoted for CSV (always, so an
// empty string differs from NULL); returns the end.
[[gnu::always_inline]] inline char* put_text(char* p, std::string_view text, bool plain, bool csv) {
  if (!csv) return plain ? copy_text(p, text) : put_copy_escaped(p, text);
  *p++ = '"';
  if (plain) {
    p = copy_text(p, text);
  } else {
    for (const char ch : text) {
      if (ch == '"') *p++ = '"';
      *p++ = ch;
    }
  }
  *p++ = '"';
  return p;
}

}  // namespace

void write_text_rows(std::vector<RowEncoder::Field>& fields, size_t rows, bool csv,
                     ByteBuffer& out) {
  // The room of every row at once: scalars by their bound, text by what the
  // batch holds (escaping or quoting at most doubles it, plus two quotes).
  size_t room = rows + ColumnVector::kTextSlack;  // newlines of rows without columns; copy_text
  for (const auto& f : fields)
    room += f.text == TextOp::kText ? 2 * f.v->text_bytes() + 3 * rows : f.room * rows;
  const char separator = csv ? ',' : '\t';
  Writer writer(out);
  char* p = writer.need(room);
  for (size_t r = 0; r < rows; ++r) {
    for (const auto& f : fields) {
      const Lanes& v = f.lanes;
      if (v.nulls[r]) {
        if (!csv) std::memcpy(p, "\\N", 2), p += 2;  // CSV: an empty unquoted field
      } else if (f.text == TextOp::kText) {
        p = put_text(p, v.text_at(r), v.plain, csv);
      } else {
        p = put_scalar(p, f.text, v, r, *f.type);
      }
      *p++ = separator;
    }
    if (fields.empty())
      *p++ = '\n';
    else
      p[-1] = '\n';
  }
  writer.done(p);
}

}  // namespace pgshape::gen

namespace pgshape {

void TableGenerator::write_copy_text(uint64_t begin, uint64_t end, ByteBuffer& out) const {
  write_rows(RowFormat::kCopyText, begin, end, out);
}

void TableGenerator::write_csv(uint64_t begin, uint64_t end, ByteBuffer& out) const {
  write_rows(RowFormat::kCsv, begin, end, out);
}

void TableGenerator::write_copy_binary(uint64_t begin, uint64_t end, ByteBuffer& out) const {
  write_rows(RowFormat::kCopyBinary, begin, end, out);
}

void TableGenerator::write_rows(RowFormat format, uint64_t begin, uint64_t end,
                                ByteBuffer& out) const {
  gen::RowEncoder encoder(*this, format);
  encoder.encode(begin, end, out);
}

}  // namespace pgshape
