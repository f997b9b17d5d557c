// The column generators. Each draws from a CounterEngine positioned at
// (its stream key, row), so a value never depends on any other row.
#include "gen/columns.hpp"

#include <algorithm>
#include <boost/random/discrete_distribution.hpp>
#include <boost/random/lognormal_distribution.hpp>
#include <boost/random/normal_distribution.hpp>
#include <charconv>
#include <cmath>

#include "gen/wordlists.hpp"
#include "pgshape/error.hpp"
#include "util/pgtime.hpp"

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
      span_ = static_cast<uint64_t>(std::llround(hi_) - std::llround(lo_)) + 1;
      if (unique) permutation_ = std::make_unique<Permutation>(span_, key_);
    }
  }
  Datum value(uint64_t row, std::string&) const override {
    if (permutation_)
      return Datum::integer(std::llround(lo_) + static_cast<int64_t>((*permutation_)(row)));
    CounterEngine engine(key_, row);
    if (discrete_)
      return Datum::integer(std::llround(lo_) + static_cast<int64_t>(engine.below(span_)));
    return Datum::real(lo_ + engine.uniform01() * (hi_ - lo_));
  }

 private:
  uint64_t key_;
  ColumnType type_;
  double lo_ = 0, hi_ = 0;
  bool discrete_ = false;
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
    return Datum::string(
        std::string_view(scratch.data(), static_cast<size_t>(end - scratch.data())));
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
    for (const auto& v : values_) datums_.push_back(literal(type_, v));
  }
  Datum value(uint64_t row, std::string&) const override {
    CounterEngine engine(key_, row);
    // discrete_distribution draws through a const call (its alias table is
    // read-only): copying it per value cost two heap allocations.
    return datums_[dist_(engine)];
  }
  static Datum literal(const ColumnType& type, const std::string& text);

 private:
  uint64_t key_;
  std::vector<std::string> values_;
  ColumnType type_;
  boost::random::discrete_distribution<size_t, double> dist_;
  std::vector<Datum> datums_;
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
      : key_(stream_key(c.seed, c.table->name, c.column->name)), p_(c.column->dist.p) {}
  Datum value(uint64_t row, std::string&) const override {
    CounterEngine engine(key_, row);
    return Datum::boolean(engine.uniform01() < p_);
  }

 private:
  uint64_t key_;
  double p_;
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

 private:
  uint64_t key_;
  int64_t rows_;
  double jitter_;
  double lo_ = 0, hi_ = 0;
};

// Appends a unique, compact suffix derived from a permuted row number.
void append_base36(std::string& out, uint64_t v) {
  char digits[16];
  int n = 0;
  do {
    digits[n++] = "0123456789ABCDEFGHIJKLMNOPQRSTUVWXYZ"[v % 36];
    v /= 36;
  } while (v > 0);
  while (n > 0) out += digits[--n];
}

void truncate_chars(std::string& text, int max_chars) {
  if (max_chars <= 0) return;
  int chars = 0;
  for (size_t i = 0; i < text.size(); ++i) {
    if ((static_cast<unsigned char>(text[i]) & 0xC0) == 0x80) continue;
    if (++chars > max_chars) {
      text.resize(i);
      return;
    }
  }
}

class Words : public ColumnGenerator {
 public:
  Words(const ColumnContext& c, bool unique)
      : key_(stream_key(c.seed, c.table->name, c.column->name)),
        min_(c.column->dist.min_words),
        max_(c.column->dist.max_words),
        max_chars_(c.column->type.kind == PgType::kVarchar ? c.column->type.length : 0) {
    const auto& words = c.column->dist.words;
    if (words.size() == 1 && words[0] == "@product") {
      product_ = true;
    } else if (words.size() == 1 && words[0].starts_with("@")) {
      for (auto w : wordlists::get(std::string_view(words[0]).substr(1))) vocabulary_.push_back(w);
    } else if (words.empty()) {
      for (auto w : wordlists::get("lorem")) vocabulary_.push_back(w);
    } else {
      own_ = words;
      for (const auto& w : own_) vocabulary_.push_back(w);
    }
    if (unique) permutation_ = std::make_unique<Permutation>(static_cast<uint64_t>(c.rows), key_);
  }
  Datum value(uint64_t row, std::string& out) const override {
    CounterEngine engine(key_, row);
    out.clear();
    if (product_) {
      append(out, wordlists::product_adjectives(), engine);
      append(out, wordlists::product_materials(), engine);
      append(out, wordlists::product_nouns(), engine);
    } else {
      const int count =
          min_ + static_cast<int>(engine.below(static_cast<uint64_t>(max_ - min_ + 1)));
      for (int i = 0; i < count; ++i) append(out, vocabulary_, engine);
    }
    if (permutation_) {
      // Unique text: the words, then a base-36 code of the permuted row number.
      std::string suffix = " ";
      append_base36(suffix, (*permutation_)(row));
      // The code must survive the width limit, the words need not: validation
      // guarantees the code alone fits.
      const int room = max_chars_ - static_cast<int>(suffix.size());
      if (max_chars_ > 0 && room <= 0)
        out.clear(), suffix.erase(0, 1);
      else if (max_chars_ > 0)
        truncate_chars(out, room);
      out += suffix;
    }
    truncate_chars(out, max_chars_);
    return Datum::string(out);
  }

 private:
  static void append(std::string& out, std::span<const std::string_view> words,
                     CounterEngine& engine) {
    if (!out.empty()) out += ' ';
    out += words[engine.below(words.size())];
  }
  uint64_t key_;
  int min_, max_, max_chars_;
  bool product_ = false;
  std::vector<std::string> own_;
  std::vector<std::string_view> vocabulary_;
  std::unique_ptr<Permutation> permutation_;
};

class Pattern : public ColumnGenerator {
 public:
  Pattern(const ColumnContext& c, bool unique)
      : key_(stream_key(c.seed, c.table->name, c.column->name)), pattern_(c.column->dist.pattern) {
    if (unique) permutation_ = std::make_unique<Permutation>(static_cast<uint64_t>(c.rows), key_);
  }
  Datum value(uint64_t row, std::string& out) const override {
    static constexpr std::string_view kDigits = "0123456789";
    static constexpr std::string_view kLetters = "ABCDEFGHIJKLMNOPQRSTUVWXYZ";
    static constexpr std::string_view kAlnum = "0123456789ABCDEFGHIJKLMNOPQRSTUVWXYZ";
    CounterEngine engine(key_, row);
    // Unique: the pattern's placeholders are the digits of a mixed-radix number,
    // the permuted row number, filled from the right.
    uint64_t code = permutation_ ? (*permutation_)(row) : 0;
    out.assign(pattern_.size(), ' ');
    size_t n = 0;
    for (size_t i = pattern_.size(); i-- > 0;) {
      char ch = pattern_[i];
      std::string_view alphabet;
      if (i > 0 && pattern_[i - 1] == '\\') {
        out[n++] = ch;
        --i;
        continue;
      }
      if (ch == '#')
        alphabet = kDigits;
      else if (ch == '?')
        alphabet = kLetters;
      else if (ch == '*')
        alphabet = kAlnum;
      if (alphabet.empty()) {
        out[n++] = ch;
      } else if (permutation_) {
        out[n++] = alphabet[code % alphabet.size()];
        code /= alphabet.size();
      } else {
        out[n++] = alphabet[engine.below(alphabet.size())];
      }
    }
    out.resize(n);
    std::reverse(out.begin(), out.end());
    return Datum::string(out);
  }

 private:
  uint64_t key_;
  std::string pattern_;
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
    return Datum::string(out);
  }

 private:
  uint64_t key_;
  bool text_;
};

class Nullable : public ColumnGenerator {
 public:
  Nullable(std::unique_ptr<ColumnGenerator> inner, uint64_t key, double fraction)
      : inner_(std::move(inner)), key_(key), fraction_(fraction) {}
  Datum value(uint64_t row, std::string& scratch) const override {
    CounterEngine engine(key_, row);
    if (engine.uniform01() < fraction_) return Datum::null();
    return inner_->value(row, scratch);
  }

 private:
  std::unique_ptr<ColumnGenerator> inner_;
  uint64_t key_;
  double fraction_;
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
