// The column generators. Each draws from a CounterEngine positioned at
// (its stream key, row), so a value never depends on any other row.
#include "gen/columns.hpp"

#include <algorithm>
#include <bit>
#include <boost/random/discrete_distribution.hpp>
#include <boost/random/lognormal_distribution.hpp>
#include <boost/random/normal_distribution.hpp>
#include <charconv>
#include <cmath>
#include <cstring>

#include "gen/encode.hpp"
#include "gen/wordlists.hpp"
#include "pgshape/error.hpp"
#include "pgshape/util.hpp"

namespace pgshape::gen {
namespace {

constexpr double kDefaultFloatMax = 1000;
constexpr int64_t kDefaultIntMax = 1000;
// Default time range when a profile gives none: 2020-01-01 .. 2025-01-01.
constexpr int64_t kDefaultDayMin = days_from_civil(2020, 1, 1) - kPgEpochDays;
constexpr int64_t kDefaultDayMax = days_from_civil(2025, 1, 1) - kPgEpochDays;

// Integers, days or microseconds: the units a column of this type counts in.
Datum from_number(const ColumnType& type, double v) {
  if (type.is_fractional()) return Datum::real(v);
  return Datum::integer(static_cast<int64_t>(std::llround(v)));
}

// The test uniform01() < p as an integer comparison of the same draw: the
// draw's top 53 bits k give k * 2^-53 < p exactly when k < ceil(p * 2^53)
// (p * 2^53 is exact), without the conversion to double on the way.
class Chance {
 public:
  explicit Chance(double p)
      : threshold_(!(p > 0) ? 0
                   : p >= 1 ? uint64_t{1} << 53
                            : static_cast<uint64_t>(std::ceil(std::ldexp(p, 53)))) {}
  bool operator()(CounterEngine& engine) const { return (engine() >> 11) < threshold_; }
  bool operator()(uint64_t key, uint64_t row) const {
    CounterEngine engine(key, row);
    return (*this)(engine);
  }

 private:
  uint64_t threshold_;
};

struct Range {
  double lo, hi;
};

Range default_range(const Distribution& d, const ColumnType& type) {
  double lo = 0, hi = kDefaultFloatMax;
  if (type.is_integer()) lo = 1, hi = kDefaultIntMax;
  if (type.kind == PgType::kDate) lo = kDefaultDayMin, hi = kDefaultDayMax;
  if (type.kind == PgType::kTimestamp || type.kind == PgType::kTimestamptz)
    lo = static_cast<double>(kDefaultDayMin) * kMicrosPerDay,
    hi = static_cast<double>(kDefaultDayMax) * kMicrosPerDay;
  return {d.min.value_or(lo), d.max.value_or(hi)};
}

class Sequence : public ColumnGenerator {
 public:
  explicit Sequence(const Distribution& d) : start_(d.start), step_(d.step) {}
  Datum value(uint64_t row, std::string&) const override {
    return Datum::integer(start_ + static_cast<int64_t>(row) * step_);
  }
  Datum::Kind batch_kind() const override { return Datum::Kind::kInt; }
  void fill(uint64_t begin, size_t n, int64_t* ints, double*, uint8_t*) const override {
    for (size_t i = 0; i < n; ++i) ints[i] = start_ + static_cast<int64_t>(begin + i) * step_;
  }
  void fill_rows(const uint64_t* rows, size_t n, int64_t* ints, double*, uint8_t*) const override {
    for (size_t i = 0; i < n; ++i) ints[i] = start_ + static_cast<int64_t>(rows[i]) * step_;
  }

 private:
  int64_t start_, step_;
};

class Uniform : public ColumnGenerator {
 public:
  Uniform(const ColumnContext& c, bool unique)
      : key_(stream_key(c.seed, c.table->name, c.column->name)), type_(c.column->type) {
    Range r = default_range(c.column->dist, type_);
    lo_ = r.lo, hi_ = r.hi;
    discrete_ = !type_.is_fractional();
    if (discrete_) {
      first_ = std::llround(lo_);  // once here: llround is a libm call
      span_ = static_cast<uint64_t>(std::llround(hi_) - first_) + 1;
      if (unique) permutation_ = std::make_unique<Permutation>(span_, key_);
    }
  }
  Datum value(uint64_t row, std::string&) const override {
    if (permutation_) return Datum::integer(first_ + static_cast<int64_t>((*permutation_)(row)));
    CounterEngine engine(key_, row);
    if (discrete_) return Datum::integer(first_ + static_cast<int64_t>(engine.below(span_)));
    return Datum::real(lo_ + engine.uniform01() * (hi_ - lo_));
  }
  Datum::Kind batch_kind() const override {
    return discrete_ ? Datum::Kind::kInt : Datum::Kind::kFloat;
  }
  void fill(uint64_t begin, size_t n, int64_t* ints, double* floats, uint8_t*) const override {
    if (permutation_) {
      for (size_t i = 0; i < n; ++i)
        ints[i] = first_ + static_cast<int64_t>((*permutation_)(begin + i));
    } else if (discrete_) {
      for (size_t i = 0; i < n; ++i)
        ints[i] = first_ + static_cast<int64_t>(CounterEngine(key_, begin + i).below(span_));
    } else {
      for (size_t i = 0; i < n; ++i)
        floats[i] = lo_ + CounterEngine(key_, begin + i).uniform01() * (hi_ - lo_);
    }
  }

 private:
  uint64_t key_;
  ColumnType type_;
  double lo_ = 0, hi_ = 0;
  bool discrete_ = false;
  int64_t first_ = 0;
  uint64_t span_ = 0;
  std::unique_ptr<Permutation> permutation_;
};

template <class BoostDistribution>
class Continuous : public ColumnGenerator {
 public:
  Continuous(const ColumnContext& c, BoostDistribution dist)
      : key_(stream_key(c.seed, c.table->name, c.column->name)),
        type_(c.column->type),
        dist_(dist),
        lo_(c.column->dist.min.value_or(-HUGE_VAL)),
        hi_(c.column->dist.max.value_or(HUGE_VAL)) {}
  Datum value(uint64_t row, std::string&) const override {
    CounterEngine engine(key_, row);
    BoostDistribution dist = dist_;  // Boost's normal/lognormal keep no state between draws
    double v = std::clamp(dist(engine), lo_, hi_);
    return from_number(type_, v);
  }
  Datum::Kind batch_kind() const override {
    return type_.is_fractional() ? Datum::Kind::kFloat : Datum::Kind::kInt;
  }
  void fill(uint64_t begin, size_t n, int64_t* ints, double* floats, uint8_t*) const override {
    const bool fractional = type_.is_fractional();
    for (size_t i = 0; i < n; ++i) {
      CounterEngine engine(key_, begin + i);
      BoostDistribution dist = dist_;
      const double v = std::clamp(dist(engine), lo_, hi_);
      if (fractional)
        floats[i] = v;
      else
        ints[i] = static_cast<int64_t>(std::llround(v));
    }
  }

 private:
  uint64_t key_;
  ColumnType type_;
  BoostDistribution dist_;
  double lo_, hi_;
};

// Zipf / hot-set ranks as values: start + rank, rank 0 the most frequent.
class SkewedRank : public ColumnGenerator {
 public:
  explicit SkewedRank(const ColumnContext& c)
      : key_(stream_key(c.seed, c.table->name, c.column->name)),
        start_(c.column->dist.start),
        text_(c.column->type.is_textual()),
        picker_(c.column->dist, c.column->dist.n) {}
  Datum value(uint64_t row, std::string& scratch) const override {
    CounterEngine engine(key_, row);
    int64_t v = start_ + static_cast<int64_t>(picker_(engine));
    if (!text_) return Datum::integer(v);
    scratch.resize(24);
    auto [end, ec] = std::to_chars(scratch.data(), scratch.data() + scratch.size(), v);
    return Datum::plain_string(
        std::string_view(scratch.data(), static_cast<size_t>(end - scratch.data())));
  }
  Datum::Kind batch_kind() const override { return text_ ? Datum::Kind::kNull : Datum::Kind::kInt; }
  void fill(uint64_t begin, size_t n, int64_t* ints, double*, uint8_t*) const override {
    for (size_t i = 0; i < n; ++i) {
      CounterEngine engine(key_, begin + i);
      ints[i] = start_ + static_cast<int64_t>(picker_(engine));
    }
  }

 private:
  uint64_t key_;
  int64_t start_;
  bool text_;
  RankPicker picker_;
};

// Typed values with weights: booleans, numbers, dates, text from the profile.
class Weighted : public ColumnGenerator {
 public:
  explicit Weighted(const ColumnContext& c)
      : key_(stream_key(c.seed, c.table->name, c.column->name)),
        values_(c.column->dist.values),
        type_(c.column->type),
        dist_(c.column->dist.weights.begin(), c.column->dist.weights.end()) {
    // Parsed once here, not per row; text datums point into values_, which
    // never changes after construction.
    for (const auto& v : values_) {
      datums_.push_back(literal(type_, v));
      if (datums_.back().kind == Datum::Kind::kText) datums_.back().plain = plain_text(v);
    }
    const Datum::Kind kind = datums_.empty() ? Datum::Kind::kNull : datums_.front().kind;
    const bool number =
        kind == Datum::Kind::kInt || kind == Datum::Kind::kBool || kind == Datum::Kind::kFloat;
    if (number &&
        std::all_of(datums_.begin(), datums_.end(), [&](const Datum& d) { return d.kind == kind; }))
      batch_kind_ = kind;
  }
  Datum value(uint64_t row, std::string&) const override {
    CounterEngine engine(key_, row);
    // discrete_distribution draws through a const call (its alias table is
    // read-only): copying it per value cost two heap allocations.
    return datums_[dist_(engine)];
  }
  // Batched when every value has one number kind (not for text or uuids).
  Datum::Kind batch_kind() const override { return batch_kind_; }
  void fill(uint64_t begin, size_t n, int64_t* ints, double* floats, uint8_t*) const override {
    for (size_t i = 0; i < n; ++i) {
      CounterEngine engine(key_, begin + i);
      const Datum& d = datums_[dist_(engine)];
      ints[i] = d.i;
      floats[i] = d.f;
    }
  }
  static Datum literal(const ColumnType& type, const std::string& text);

 private:
  uint64_t key_;
  std::vector<std::string> values_;
  ColumnType type_;
  boost::random::discrete_distribution<size_t, double> dist_;
  std::vector<Datum> datums_;
  Datum::Kind batch_kind_ = Datum::Kind::kNull;
};

Datum Weighted::literal(const ColumnType& type, const std::string& text) {
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

class Bernoulli : public ColumnGenerator {
 public:
  explicit Bernoulli(const ColumnContext& c)
      : key_(stream_key(c.seed, c.table->name, c.column->name)), chance_(c.column->dist.p) {}
  Datum value(uint64_t row, std::string&) const override {
    CounterEngine engine(key_, row);
    return Datum::boolean(chance_(engine));
  }
  Datum::Kind batch_kind() const override { return Datum::Kind::kBool; }
  void fill(uint64_t begin, size_t n, int64_t* ints, double*, uint8_t*) const override {
    for (size_t i = 0; i < n; ++i) ints[i] = chance_(key_, begin + i);
  }

 private:
  uint64_t key_;
  Chance chance_;
};

// Values that grow with the row number (orders get newer as ids grow), +- jitter.
class Timeline : public ColumnGenerator {
 public:
  explicit Timeline(const ColumnContext& c)
      : key_(stream_key(c.seed, c.table->name, c.column->name)),
        rows_(c.rows),
        jitter_(c.column->dist.jitter) {
    Range r = default_range(c.column->dist, c.column->type);
    lo_ = r.lo, hi_ = r.hi;
  }
  Datum value(uint64_t row, std::string&) const override {
    const double position =
        rows_ > 1 ? static_cast<double>(row) / static_cast<double>(rows_ - 1) : 0;
    double v = lo_ + position * (hi_ - lo_);
    if (jitter_ > 0) {
      CounterEngine engine(key_, row);
      v += (engine.uniform01() * 2 - 1) * jitter_ * (hi_ - lo_);
    }
    return Datum::integer(static_cast<int64_t>(std::llround(std::clamp(v, lo_, hi_))));
  }
  Datum::Kind batch_kind() const override { return Datum::Kind::kInt; }
  void fill(uint64_t begin, size_t n, int64_t* ints, double* floats,
            uint8_t* nulls) const override {
    std::string scratch;
    for (size_t i = 0; i < n; ++i) ints[i] = Timeline::value(begin + i, scratch).i;
    (void)floats, (void)nulls;
  }

 private:
  uint64_t key_;
  int64_t rows_;
  double jitter_;
  double lo_ = 0, hi_ = 0;
};

// Uniform digits in [0, n) taken several at a time from one 64-bit draw: each
// digit is the high word of r * n and leaves the low word as the next r (the
// base-n digits of r read as a fraction). A digit costs bit_width(n - 1) bits;
// a fresh draw comes when fewer than 32 spare bits would remain, so any digit's
// bias stays below n / 2^32.
class Digits {
 public:
  explicit Digits(CounterEngine& engine) : engine_(engine) {}
  uint64_t below(uint64_t n, int bits) {
    if (left_ < bits + 32) r_ = engine_(), left_ = 64;
    const auto product = static_cast<unsigned __int128>(r_) * n;
    r_ = static_cast<uint64_t>(product);
    left_ -= bits;
    return static_cast<uint64_t>(product >> 64);
  }

 private:
  CounterEngine& engine_;
  uint64_t r_ = 0;
  int left_ = 0;
};

int digit_bits(uint64_t n) {
  return std::max(1, static_cast<int>(std::bit_width(n > 0 ? n - 1 : 0)));
}

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

// A vocabulary laid out for copying: word i and a space at slot i, each slot
// padded to a multiple of 16 bytes, so a word is one fixed-size copy.
class WordTable {
 public:
  WordTable() = default;
  explicit WordTable(std::span<const std::string_view> words) {
    size_t longest = 0;
    for (auto w : words) longest = std::max(longest, w.size());
    slot_ = (longest + 1 + 15) / 16 * 16;
    bytes_.assign(words.size() * slot_, ' ');
    for (size_t i = 0; i < words.size(); ++i) {
      std::memcpy(&bytes_[i * slot_], words[i].data(), words[i].size());
      lengths_.push_back(static_cast<uint16_t>(words[i].size() + 1));
      plain_ = plain_ && plain_text(words[i]);
    }
    bits_ = digit_bits(words.size());
    // Small vocabularies (lorem: 62 words, 123 KB) also get every ordered pair
    // "a b " in a 32-byte slot: two words for one multiply and one copy.
    const size_t n = words.size();
    if (slot_ == 16 && n > 0 && n <= kPairLimit) {
      pairs_.assign(n * n * 32, ' ');
      for (size_t a = 0; a < n; ++a) {
        for (size_t b = 0; b < n; ++b) {
          char* to = &pairs_[(a * n + b) * 32];
          std::memcpy(to, words[a].data(), words[a].size());
          std::memcpy(to + lengths_[a], words[b].data(), words[b].size());
          pair_lengths_.push_back(static_cast<uint8_t>(lengths_[a] + lengths_[b]));
        }
      }
    }
  }
  size_t size() const { return lengths_.size(); }
  int bits() const { return bits_; }
  size_t slot() const { return slot_; }
  bool plain() const { return plain_; }
  // Writes word i and a space at p, and up to a slot's padding beyond; returns
  // the end of the space.
  char* put(char* p, size_t i) const {
    const char* from = &bytes_[i * slot_];
    if (slot_ == 16)
      std::memcpy(p, from, 16);
    else
      std::memcpy(p, from, slot_);
    return p + lengths_[i];
  }
  char* put_random(char* p, Digits& digits) const {
    return size() == 0 ? p : put(p, digits.below(size(), bits_));
  }
  // Writes `count` random words, each followed by a space (and up to 32 bytes
  // of padding beyond the last); returns the end. Indices come from 32-bit
  // halves of the engine's draws by multiply-shift (bias < n / 2^32), so the
  // draws and the multiplies are independent of each other, unlike a chain of
  // digits taken from one draw.
  char* put_random(char* p, CounterEngine& engine, int count) const {
    const uint64_t n = size();
    if (n == 0 || count <= 0) return p;
    if (n > kHalfDrawLimit) {
      for (int i = 0; i < count; ++i) p = put(p, engine.below(n));
      return p;
    }
    // The tables in locals: stores through char* may alias any member, which
    // would reload them after every word.
    const char* const words = bytes_.data();
    const uint16_t* const lengths = lengths_.data();
    const size_t slot = slot_;
    auto word = [&](char* to, size_t i) {
      if (slot == 16)
        std::memcpy(to, words + i * 16, 16);
      else
        std::memcpy(to, words + i * slot, slot);
      return to + lengths[i];
    };
    if (!pairs_.empty()) {
      const char* const pairs = pairs_.data();
      const uint8_t* const pair_lengths = pair_lengths_.data();
      auto pair = [&](char* to, size_t i) {
        std::memcpy(to, pairs + i * 32, 32);
        return to + pair_lengths[i];
      };
      const uint64_t square = n * n;
      for (; count >= 4; count -= 4) {
        const uint64_t r = engine();
        p = pair(p, half(r, square));
        p = pair(p, half(r >> 32, square));
      }
      if (count == 0) return p;
      uint64_t r = engine();
      if (count >= 2) {
        p = pair(p, half(r, square));
        r >>= 32;
        count -= 2;
      }
      return count > 0 ? word(p, half(r, n)) : p;
    }
    for (; count >= 2; count -= 2) {
      const uint64_t r = engine();
      p = word(p, half(r, n));
      p = word(p, half(r >> 32, n));
    }
    return count > 0 ? word(p, half(engine(), n)) : p;
  }

 private:
  static constexpr size_t kPairLimit = 64;
  static constexpr uint64_t kHalfDrawLimit = uint64_t{1} << 20;
  // An index in [0, n) from the low 32 bits of r.
  static size_t half(uint64_t r, uint64_t n) {
    return static_cast<size_t>(((r & 0xFFFFFFFFULL) * n) >> 32);
  }
  std::string bytes_;
  std::vector<uint16_t> lengths_;
  std::string pairs_;
  std::vector<uint8_t> pair_lengths_;
  size_t slot_ = 16;
  int bits_ = 1;
  bool plain_ = true;
};

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
  Datum value(uint64_t row, std::string& out) const override {
    if (out.size() < capacity_) out.resize(capacity_);
    const char* end = write_words(row, out.data());
    Datum d = Datum::string(std::string_view(out.data(), static_cast<size_t>(end - out.data())));
    d.plain = plain_;
    return d;
  }
  size_t max_text_size() const override { return plain_ ? capacity_ : 0; }
  char* write_text(uint64_t row, char* p) const override { return write_words(row, p); }

 private:
  char* write_words(uint64_t row, char* const begin) const {
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
  }
  Datum value(uint64_t row, std::string& out) const override {
    if (out.size() < padded_.size()) out.resize(padded_.size());
    Datum d = Datum::string(std::string_view(out.data(), template_.size()));
    write(row, out.data());
    d.plain = plain_;
    return d;
  }
  size_t max_text_size() const override { return plain_ ? padded_.size() : 0; }
  char* write_text(uint64_t row, char* p) const override { return write(row, p); }

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
          code = CounterEngine(op.key, row).below(op.space);
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
};

class Uuid : public ColumnGenerator {
 public:
  explicit Uuid(const ColumnContext& c)
      : key_(stream_key(c.seed, c.table->name, c.column->name)),
        text_(c.column->type.is_textual()) {}
  Datum value(uint64_t row, std::string& out) const override {
    CounterEngine engine(key_, row);
    Datum d;
    d.kind = Datum::Kind::kUuid;
    d.uuid_hi = (engine() & ~0xF000ULL) | 0x4000ULL;        // version 4
    d.uuid_lo = (engine() & ~(3ULL << 62)) | (2ULL << 62);  // RFC 4122 variant
    if (!text_) return d;
    char buffer[37];
    static constexpr char kHex[] = "0123456789abcdef";
    int n = 0;
    for (int i = 0; i < 32; ++i) {
      if (i == 8 || i == 12 || i == 16 || i == 20) buffer[n++] = '-';
      uint64_t word = i < 16 ? d.uuid_hi : d.uuid_lo;
      buffer[n++] = kHex[(word >> (60 - 4 * (i % 16))) & 0xF];
    }
    out.assign(buffer, static_cast<size_t>(n));
    return Datum::plain_string(out);
  }

 private:
  uint64_t key_;
  bool text_;
};

class Nullable : public ColumnGenerator {
 public:
  Nullable(std::unique_ptr<ColumnGenerator> inner, uint64_t key, double fraction)
      : inner_(std::move(inner)), key_(key), null_(fraction) {}
  Datum value(uint64_t row, std::string& scratch) const override {
    CounterEngine engine(key_, row);
    if (null_(engine)) return Datum::null();
    return inner_->value(row, scratch);
  }
  size_t max_text_size() const override { return inner_->max_text_size(); }
  char* write_text(uint64_t row, char* p) const override {
    CounterEngine engine(key_, row);
    if (null_(engine)) return nullptr;
    return inner_->write_text(row, p);
  }
  Datum::Kind batch_kind() const override { return inner_->batch_kind(); }
  void fill(uint64_t begin, size_t n, int64_t* ints, double* floats,
            uint8_t* nulls) const override {
    // The inner values of NULL rows are drawn too: cheaper than a branch per row.
    inner_->fill(begin, n, ints, floats, nulls);
    for (size_t i = 0; i < n; ++i)
      if (null_(key_, begin + i)) nulls[i] = 1;
  }

 private:
  std::unique_ptr<ColumnGenerator> inner_;
  uint64_t key_;
  Chance null_;  // this row is NULL
};

}  // namespace

std::unique_ptr<ColumnGenerator> make_empirical_generator(const ColumnContext& context);

std::unique_ptr<ColumnGenerator> make_value_generator(const ColumnContext& c) {
  const Distribution& d = c.column->dist;
  const bool unique =
      c.column->unique || (c.column->primary_key && c.table->primary_key.size() == 1);
  switch (d.kind) {
    case DistKind::kSequence:
      return std::make_unique<Sequence>(d);
    case DistKind::kUniform:
      return std::make_unique<Uniform>(c, unique);
    case DistKind::kNormal:
      return std::make_unique<Continuous<boost::random::normal_distribution<double>>>(
          c, boost::random::normal_distribution<double>(d.mean, d.stddev));
    case DistKind::kLognormal:
      return std::make_unique<Continuous<boost::random::lognormal_distribution<double>>>(
          c, boost::random::lognormal_distribution<double>(d.mu, d.sigma));
    case DistKind::kZipf:
    case DistKind::kHotset:
      return std::make_unique<SkewedRank>(c);
    case DistKind::kWeighted:
      return std::make_unique<Weighted>(c);
    case DistKind::kBernoulli:
      return std::make_unique<Bernoulli>(c);
    case DistKind::kTimeline:
      return std::make_unique<Timeline>(c);
    case DistKind::kWords:
      return std::make_unique<Words>(c, unique);
    case DistKind::kPattern:
      return std::make_unique<Pattern>(c, unique);
    case DistKind::kUuid:
      return std::make_unique<Uuid>(c);
    case DistKind::kEmpirical:
      return make_empirical_generator(c);
    case DistKind::kCopy:
      break;
  }
  throw InternalError("make_value_generator: foreign keys and copies are built by the dataset");
}

std::unique_ptr<ColumnGenerator> with_nulls(std::unique_ptr<ColumnGenerator> inner,
                                            const ColumnContext& c, double fraction) {
  if (fraction <= 0) return inner;
  return std::make_unique<Nullable>(
      std::move(inner), stream_key(c.seed, c.table->name, c.column->name, "null"), fraction);
}

Datum weighted_literal(const ColumnType& type, const std::string& text) {
  return Weighted::literal(type, text);
}

}  // namespace pgshape::gen
