// The text family: words from a vocabulary (lorem, product names, a profile's
// own list) and patterns (SKU-??-######). Both write straight into the
// vector's text arena, a whole batch at a time, and say when their text is
// known plain (no byte COPY escapes or CSV quotes), so encoders copy it as is.
#include <algorithm>
#include <cmath>
#include <cstring>

#include "gen/columns.hpp"
#include "gen/encode.hpp"
#include "gen/word_table.hpp"
#include "gen/wordlists.hpp"

namespace pgshape::gen {
namespace {

// Writes a unique, compact suffix derived from a permuted row number; returns its length.
size_t put_base36(char* out, uint64_t v) {
  char digits[16];
  size_t n = 0;
  do {
    digits[n++] = "0123456789ABCDEFGHIJKLMNOPQRSTUVWXYZ"[v % 36];
    v /= 36;
  } while (v > 0);
  for (size_t i = 0; i < n; ++i) out[i] = digits[n - 1 - i];
  return n;
}

// The byte length of the first `max_chars` UTF-8 characters of text[0, size).
size_t cut_chars(const char* text, size_t size, int max_chars) {
  if (max_chars <= 0) return size;
  int chars = 0;
  for (size_t i = 0; i < size; ++i) {
    if ((static_cast<unsigned char>(text[i]) & 0xC0) == 0x80) continue;
    if (++chars > max_chars) return i;
  }
  return size;
}

class Words : public ColumnGenerator {
 public:
  Words(const ColumnContext& c, bool unique)
      : key_(stream_key(c.seed, c.table->name, c.column->name)),
        min_(c.column->dist.min_words),
        max_(c.column->dist.max_words),
        max_chars_(c.column->type.max_chars()) {
    const auto& words = c.column->dist.words;
    size_t slots = 0, slot = 16;
    if (words.size() == 1 && words[0] == "@product") {
      product_ = true;
      parts_[0] = WordTable(product_adjectives());
      parts_[1] = WordTable(product_materials());
      parts_[2] = WordTable(product_nouns());
      plain_ = parts_[0].plain() && parts_[1].plain() && parts_[2].plain();
      slots = 3;
      slot = std::max({parts_[0].slot(), parts_[1].slot(), parts_[2].slot()});
    } else {
      if (words.size() == 1 && words[0].starts_with("@")) {
        vocabulary_ = WordTable(wordlist(std::string_view(words[0]).substr(1)));
      } else if (words.empty()) {
        vocabulary_ = WordTable(wordlist("lorem"));
      } else {
        std::vector<std::string_view> own(words.begin(), words.end());
        vocabulary_ = WordTable(own);
      }
      plain_ = vocabulary_.plain();
      slots = static_cast<size_t>(std::max(max_, 0));
      slot = vocabulary_.slot();
      count_span_ = static_cast<uint64_t>(std::max(max_ - min_ + 1, 1));
      count_bits_ = digit_bits(count_span_);
    }
    capacity_ = slots * slot + 64;  // a pair slot's padding and a unique code
    if (unique) permutation_ = std::make_unique<Permutation>(static_cast<uint64_t>(c.rows), key_);
    // No width check per row when even the longest text fits.
    const size_t longest = capacity_;
    if (max_chars_ > 0 && !permutation_ && longest <= static_cast<size_t>(max_chars_))
      max_chars_ = 0;
  }
  Datum::Kind kind() const override { return Datum::Kind::kText; }
  void fill(const Selection& rows, const Batch&, ColumnVector& out) const override {
    out.reset(Datum::Kind::kText, rows.size());
    out.set_plain(plain_);
    // Room for the whole batch at once: no check per value.
    ColumnVector::TextAppender text(out, capacity_ * rows.size());
    rows.for_each([&](size_t i, uint64_t row) { text.append(i, write_words(row, text.at())); });
  }

 private:
  // Out of line, with the word loops inlined into it: one call per value.
  [[gnu::noinline]] char* write_words(uint64_t row, char* const begin) const {
    char* p = begin;
    CounterEngine engine(key_, row);
    Digits digits(engine);
    if (product_) {
      for (const auto& part : parts_) p = part.put_random(p, digits);
    } else {
      const int count = min_ + static_cast<int>(digits.below(count_span_, count_bits_));
      p = vocabulary_.put_random(p, engine, count);
    }
    size_t size = static_cast<size_t>(p - begin);
    if (size > 0) --size;  // the last word's space
    if (permutation_) {
      // Unique text: the words, then a base-36 code of the permuted row number.
      char suffix[24];
      suffix[0] = ' ';
      const size_t suffix_size = 1 + put_base36(suffix + 1, (*permutation_)(row));
      // The code must survive the width limit, the words need not: validation
      // guarantees the code alone fits.
      const int room = max_chars_ - static_cast<int>(suffix_size);
      size_t skip = 0;
      if (max_chars_ > 0 && room <= 0)
        size = 0, skip = 1;
      else if (max_chars_ > 0)
        size = cut_chars(begin, size, room);
      std::memcpy(begin + size, suffix + skip, suffix_size - skip);
      size += suffix_size - skip;
    }
    return begin + cut_chars(begin, size, max_chars_);
  }

  uint64_t key_;
  int min_, max_, max_chars_;
  bool product_ = false;
  bool plain_ = false;
  WordTable parts_[3];  // product names: adjective, material, noun
  WordTable vocabulary_;
  uint64_t count_span_ = 1;
  int count_bits_ = 1;
  size_t capacity_ = 0;
  std::unique_ptr<Permutation> permutation_;
};

// Text from a template: '#' a decimal digit, '?' a letter, '*' a letter or
// digit, '\' escapes the next character. The placeholders, read right to left,
// are the digits of a mixed-radix number: drawn at random per row, or for a
// unique column the row number permuted over the pattern's whole space, so
// codes are distinct and spread over every placeholder (SKU-QF-...), not
// packed into the lowest values (SKU-AA-...).
class Pattern : public ColumnGenerator {
 public:
  Pattern(const ColumnContext& c, bool unique)
      : key_(stream_key(c.seed, c.table->name, c.column->name)) {
    const std::string& pattern = c.column->dist.pattern;
    std::vector<std::pair<size_t, int>> slots;  // (position, radix), right to left
    for (size_t i = pattern.size(); i-- > 0;) {
      const char ch = pattern[i];
      if (i > 0 && pattern[i - 1] == '\\') {
        template_ += ch;
        --i;
        continue;
      }
      const int radix = ch == '#' ? 10 : ch == '?' ? 26 : ch == '*' ? 36 : 0;
      if (radix) slots.emplace_back(template_.size(), radix);
      template_ += radix ? '0' : ch;
    }
    std::reverse(template_.begin(), template_.end());
    for (auto& slot : slots) slot.first = template_.size() - 1 - slot.first;
    plain_ = plain_text(template_);
    // Padded to whole 16-byte blocks: writing it is one or two fixed-size copies.
    padded_ = template_;
    padded_.resize((template_.size() + 15) / 16 * 16, ' ');

    // The slots in groups whose radices multiply to at most 2^62, one number
    // per group and row. Only patterns of more than 17 placeholders have more
    // than one group; a unique column's first group has room for every row
    // (validation checks the pattern's space).
    constexpr uint64_t kMaxSpace = uint64_t{1} << 62;
    uint64_t space = 1;
    size_t group = 0;  // the open group's first op
    auto close_group = [&] {
      if (group == 0 && unique)
        permutation_ = std::make_unique<Permutation>(space, key_);
      else
        ops_.insert(ops_.begin() + static_cast<std::ptrdiff_t>(group),
                    Op{Op::kDraw, 0, 0, space, mix64(key_ + group)});
      group = ops_.size();
      space = 1;
    };
    for (const auto& [at, radix] : slots) {
      const auto r = static_cast<uint64_t>(radix);
      if (space > kMaxSpace / r) close_group();
      space *= r;
      const auto kind = radix == 10 ? Op::kDecimal : radix == 26 ? Op::kLetter : Op::kAlnum;
      // A run: the same radix in adjacent places, written in one go.
      if (ops_.size() > group && ops_.back().kind == kind &&
          ops_.back().at - ops_.back().length == at) {
        ++ops_.back().length;
        continue;
      }
      ops_.push_back({kind, static_cast<uint32_t>(at), 1, 0, 0});
    }
    if (group < ops_.size() || (unique && !permutation_)) close_group();
    // n_distinct (a CHECK's pattern standing for production's values): the rows
    // take that many codes, each about as often, spread over the pattern's space.
    const double nd = c.column->dist.n_distinct;
    const bool one_group = std::count_if(ops_.begin(), ops_.end(),
                                         [](const Op& op) { return op.kind == Op::kDraw; }) == 1;
    if (!unique && nd != 0 && one_group && ops_.front().kind == Op::kDraw && c.rows > 0) {
      const double rows = static_cast<double>(c.rows);
      const double wanted = nd < 0 ? std::ceil(-nd * rows) : nd;
      distinct_ = static_cast<uint64_t>(
          std::clamp(wanted, 1.0, std::min(rows, static_cast<double>(ops_.front().space))));
      rows_order_ = std::make_unique<Permutation>(static_cast<uint64_t>(c.rows), mix64(key_ ^ 1));
      spread_ = std::make_unique<Permutation>(ops_.front().space, mix64(key_ ^ 2));
    }
  }
  Datum::Kind kind() const override { return Datum::Kind::kText; }
  void fill(const Selection& rows, const Batch&, ColumnVector& out) const override {
    out.reset(Datum::Kind::kText, rows.size());
    out.set_plain(plain_);
    // Each value is the template's size; the padding of the last one needs room too.
    ColumnVector::TextAppender text(out, template_.size() * rows.size() + padded_.size());
    rows.for_each([&](size_t i, uint64_t row) { text.append(i, write(row, text.at())); });
  }

 private:
  // A run of placeholders of one radix, or the start of a group.
  struct Op {
    enum Kind : uint8_t { kDecimal, kLetter, kAlnum, kDraw } kind;
    uint32_t at;      // the run's rightmost character
    uint32_t length;  // of the run
    uint64_t space;   // kDraw: the group's count of values
    uint64_t key;     // kDraw: the group's stream
  };

  // Writes the text at `text`, which has room for padded_.size() bytes.
  char* write(uint64_t row, char* const text) const {
    static constexpr char kAlnum[] = "0123456789ABCDEFGHIJKLMNOPQRSTUVWXYZ";
    static constexpr char kPairs[] =
        "00010203040506070809101112131415161718192021222324252627282930313233343536373839"
        "40414243444546474849505152535455565758596061626364656667686970717273747576777879"
        "8081828384858687888990919293949596979899";
    // Members in locals: stores through char* may alias them.
    const size_t padded = padded_.size();
    const Op* const ops = ops_.data();
    const size_t count = ops_.size();
    if (padded == 16)
      std::memcpy(text, padded_.data(), 16);
    else if (padded == 32)
      std::memcpy(text, padded_.data(), 32);
    else
      std::memcpy(text, padded_.data(), padded);
    uint64_t code = permutation_ ? (*permutation_)(row) : 0;
    // Divisions by constants (one radix per case), decimals two at a time.
    for (size_t i = 0; i < count; ++i) {
      const Op op = ops[i];
      char* p = text + op.at;
      uint32_t n = op.length;
      switch (op.kind) {
        case Op::kDecimal:
          for (; n >= 2; n -= 2, p -= 2, code /= 100)
            std::memcpy(p - 1, kPairs + 2 * (code % 100), 2);
          if (n > 0) *p = static_cast<char>('0' + code % 10), code /= 10;
          break;
        case Op::kLetter:
          for (; n > 0; --n, --p, code /= 26) *p = static_cast<char>('A' + code % 26);
          break;
        case Op::kAlnum:
          for (; n > 0; --n, --p, code /= 36) *p = kAlnum[code % 36];
          break;
        case Op::kDraw:
          code = i == 0 && distinct_
                     ? (*spread_)((*rows_order_)(row % rows_order_->size()) % distinct_)
                     : CounterEngine(op.key, row).below(op.space);
          break;
      }
    }
    return text + template_.size();
  }

  uint64_t key_;
  std::string template_;
  std::string padded_;
  std::vector<Op> ops_;  // right to left; a group's kDraw before its runs
  bool plain_ = false;
  std::unique_ptr<Permutation> permutation_;
  uint64_t distinct_ = 0;  // n_distinct: codes the first group takes; 0 = a draw per row
  std::unique_ptr<Permutation> rows_order_, spread_;
};

}  // namespace

std::unique_ptr<ColumnGenerator> make_text_generator(const ColumnContext& c, bool unique) {
  if (c.column->dist.kind == DistKind::kWords) return std::make_unique<Words>(c, unique);
  return std::make_unique<Pattern>(c, unique);
}

}  // namespace pgshape::gen
