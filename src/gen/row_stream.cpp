// One row stream: a table's rows in one format, to one sink. The header, the
// flushes and the trailer are written here and nowhere else, for a COPY
// connection and a file alike.
#include <chrono>

#include "gen/encode.hpp"
#include "pgshape/gen.hpp"

namespace pgshape {

std::string_view copy_binary_header() {
  static constexpr char kHeader[] =
      "PGCOPY\n\377\r\n\0"  // signature
      "\0\0\0\0"            // flags: no OIDs
      "\0\0\0\0";           // header extension length
  return {kHeader, sizeof kHeader - 1};
}

std::string_view copy_binary_trailer() {
  return {"\xff\xff", 2};
}

RowRange shard_rows(int64_t rows, int index, int count) {
  // Multiply before dividing (in 128 bits) so the slices differ by at most one row.
  const auto n = static_cast<unsigned __int128>(rows < 0 ? 0 : rows);
  const auto at = [&](int k) {
    return static_cast<uint64_t>(n * static_cast<unsigned>(k) / static_cast<unsigned>(count));
  };
  return {at(index), at(index + 1)};
}

RowStream::RowStream(const TableGenerator& table, RowFormat format, RowRange range, RowFilter keep)
    : table_(table), format_(format), range_(range), keep_(std::move(keep)) {}

StreamResult RowStream::write_to(RowSink& sink,
                                 const std::function<void(int64_t rows_done)>& progress) {
  const auto started = std::chrono::steady_clock::now();
  gen::RowEncoder encoder(table_, format_);
  ByteBuffer buffer;
  // Twice the flush size: the encoders ask for a batch's worst case at once,
  // which must never grow (copy) the buffer; pages never written cost nothing.
  buffer.reserve(2 * kFlushBytes);
  const bool binary = format_ == RowFormat::kCopyBinary;
  if (binary) buffer.append(copy_binary_header());
  StreamResult result;
  // Progress counts rows written: with a filter, fewer than the range's.
  int64_t written = 0;
  auto flush = [&] {
    if (!buffer.empty()) sink.write(buffer.view());
    result.bytes += buffer.size();
    buffer.clear();
    if (progress && written > 0) progress(written);
  };
  std::vector<uint64_t> kept;
  for (uint64_t row = range_.begin; row < range_.end;) {
    const uint64_t end = std::min(range_.end, row + kStepRows);
    if (keep_) {
      kept.clear();
      keep_(row, static_cast<size_t>(end - row), kept);
      encoder.encode(kept.data(), kept.size(), buffer);
      written += static_cast<int64_t>(kept.size());
    } else {
      encoder.encode(row, end, buffer);
      written += static_cast<int64_t>(end - row);
    }
    row = end;
    if (buffer.size() >= kFlushBytes && row < range_.end) flush();
  }
  // The last flush carries the trailer: an empty range is still a valid stream.
  if (binary) buffer.append(copy_binary_trailer());
  flush();
  result.rows = written;
  result.seconds =
      std::chrono::duration<double>(std::chrono::steady_clock::now() - started).count();
  return result;
}

}  // namespace pgshape
