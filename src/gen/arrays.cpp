// dist: array: each row's array as pg_stats' element statistics describe the
// column. A row's count of distinct elements L is drawn from the count
// histogram; each most common element e joins it with probability
// min(1, r_e * L), r_e calibrated so that its share over all rows is the
// profile's (the rows are chosen by systematic sampling, below); the rest of
// the L are elements outside the list, drawn from a generated tail sized so
// each of them appears in a `rest` share of the rows.
#include <algorithm>
#include <charconv>
#include <cmath>
#include <cstring>
#include <unordered_set>

#include <fmt/format.h>

#include "gen/array_gen.hpp"
#include "gen/columns.hpp"
#include "gen/encode.hpp"
#include "gen/text_forms.hpp"
#include "pgshape/util.hpp"

namespace pgshape::gen {

std::string array_element_text(std::string_view literal) {
  auto lower = [&](size_t i) { return static_cast<char>(literal[i] | 0x20); };
  bool quote = literal.empty() || (literal.size() == 4 && lower(0) == 'n' && lower(1) == 'u' &&
                                   lower(2) == 'l' && lower(3) == 'l');
  for (char c : literal)
    quote = quote || c == '"' || c == '\\' || c == '{' || c == '}' || c == ',' || c == ' ' ||
            c == '\t' || c == '\n' || c == '\r' || c == '\v' || c == '\f';
  if (!quote) return std::string(literal);
  std::string out = "\"";
  for (char c : literal) {
    if (c == '"' || c == '\\') out += '\\';
    out += c;
  }
  return out + '"';
}

ArrayShape::ArrayShape(const Distribution& d) {
  const size_t buckets = d.lengths.size() < 2 ? 0 : d.lengths.size() - 1;
  // Each bucket holds 1 / buckets of the rows, spread evenly over its lengths.
  for (size_t b = 0; b < buckets; ++b) {
    const auto lo = static_cast<size_t>(d.lengths[b]), hi = static_cast<size_t>(d.lengths[b + 1]);
    if (pmf.size() <= hi) pmf.resize(hi + 1, 0.0);
    for (size_t l = lo; l <= hi; ++l)
      pmf[l] += 1.0 / static_cast<double>(buckets) / static_cast<double>(hi - lo + 1);
  }
  if (pmf.empty()) pmf = {1.0};
  for (size_t l = 0; l < pmf.size(); ++l) mean += pmf[l] * static_cast<double>(l);
  // Solve sum_L pmf(L) min(1, r L) = f for r by bisection: monotone in r.
  auto share = [&](double r) {
    double s = 0;
    for (size_t l = 1; l < pmf.size(); ++l) s += pmf[l] * std::min(1.0, r * static_cast<double>(l));
    return s;
  };
  const double reachable = share(1e18);
  for (double f : d.element_freqs) {
    double target = std::min(f, reachable), lo = 0, hi = 1;
    while (share(hi) < target && hi < 1e18) hi *= 2;
    for (int i = 0; i < 60; ++i) {
      const double mid = (lo + hi) / 2;
      (share(mid) < target ? lo : hi) = mid;
    }
    rates.push_back(hi);
  }
  // The elements outside the list that fill a row up to its length, on average.
  for (size_t l = 1; l < pmf.size(); ++l) {
    double k = 0;
    for (double r : rates) k += std::min(1.0, r * static_cast<double>(l));
    tail_per_row += pmf[l] * std::max(0.0, static_cast<double>(l) - k);
  }
}

namespace {

// The text of tail element k, an element of `type` that is none of the listed
// ones: integers and dates past the largest listed, text and uuids from k's hash.
class TailElements {
 public:
  TailElements(const std::optional<ColumnType>& type, const std::vector<std::string>& listed,
               uint64_t key, uint64_t& domain)
      : key_(key) {
    if (!type || domain == 0) {
      domain = 0;
      return;
    }
    for (const auto& v : listed) listed_.insert(v);
    const auto& t = *type;
    if (t.is_integer() || t.is_fractional()) {
      kind_ = Kind::kNumber;
      double top = 0, bottom = 0;
      for (const auto& v : listed) {
        double x = 0;
        if (std::from_chars(v.data(), v.data() + v.size(), x).ec == std::errc())
          top = std::max(top, x), bottom = std::min(bottom, x);
      }
      const double hi = t.is_integer() ? static_cast<double>(t.integer_max()) : 1e15;
      const double lo = t.is_integer() ? static_cast<double>(t.integer_min()) : -1e15;
      if (std::floor(top) + 1 + static_cast<double>(domain) <= hi)
        base_ = static_cast<int64_t>(std::floor(top)) + 1;
      else if (std::ceil(bottom) - static_cast<double>(domain) >= lo)
        base_ = static_cast<int64_t>(std::ceil(bottom)) - static_cast<int64_t>(domain);
      else
        domain = 0;
    } else if (t.kind == PgType::kDate || t.is_temporal()) {
      kind_ = t.kind == PgType::kDate ? Kind::kDate : Kind::kTimestamp;
      int64_t top = 0;
      for (const auto& v : listed)
        if (auto day = parse_pg_date(v.substr(0, 10))) top = std::max<int64_t>(top, *day);
      base_ = top + 1;
      domain = std::min<uint64_t>(domain, 2000000);
    } else if (t.kind == PgType::kUuid) {
      kind_ = Kind::kUuid;
    } else if (t.is_textual()) {
      kind_ = Kind::kText;
      // A code in base 36 after a letter ("k01z"), as wide as the listed
      // elements on average (a table's width steers its scan costs), fitting
      // varchar(n).
      const int room = t.max_chars() > 0 ? t.max_chars() : 14;
      if (room < 2) domain = 0;
      double chars = 0;
      for (const auto& v : listed) chars += static_cast<double>(v.size());
      const int average = listed.empty() ? 6 : static_cast<int>(std::lround(chars / listed.size()));
      width_ = std::clamp(average, 2, std::clamp(room, 2, 32));
    } else {
      domain = 0;  // booleans and the like: every value is listed
    }
  }
  // Writes tail element k at p; returns the end. Room: kMaxBytes.
  static constexpr size_t kMaxBytes = 40;
  char* put(char* p, uint64_t k, uint64_t domain) const {
    switch (kind_) {
      case Kind::kNumber:
        return std::to_chars(p, p + 24, base_ + static_cast<int64_t>(k)).ptr;
      case Kind::kDate:
        return put_date(p, base_ + static_cast<int64_t>(k));
      case Kind::kTimestamp:
        return put_timestamp(p, (base_ + static_cast<int64_t>(k)) * 86400000000LL, false);
      case Kind::kUuid: {
        const Uuid u{(mix64(key_ ^ k) & ~0xF000ULL) | 0x4000ULL,
                     (mix64(~key_ ^ k) & ~(3ULL << 62)) | (2ULL << 62)};
        return put_uuid(p, u);
      }
      case Kind::kText: {
        for (uint64_t attempt = 0;; ++attempt) {
          char* q = p;
          *q++ = "kmqvwxz"[attempt % 7];
          uint64_t x = k + attempt * domain;
          char digits[16];
          int n = 0;
          do digits[n++] = "0123456789abcdefghijklmnopqrstuvwxyz"[x % 36], x /= 36;
          while (x > 0 && n < 13);
          if (n + 1 > width_) n = width_ - 1;
          for (int pad = width_ - 1 - n; pad > 0; --pad) *q++ = '0';
          while (n > 0) *q++ = digits[--n];
          if (!listed_.count(std::string(p, q)) || attempt > 6) return q;
        }
      }
      case Kind::kNone:
        break;
    }
    return p;
  }

 private:
  enum class Kind { kNone, kNumber, kDate, kTimestamp, kUuid, kText };
  Kind kind_ = Kind::kNone;
  uint64_t key_;
  int64_t base_ = 0;
  int width_ = 12;
  std::unordered_set<std::string> listed_;
};

// Listed elements are chosen by systematic sampling: laid end to end in a
// keyed random order, element e taking an interval of length
// p_e = min(1, rate_e * L), they are hit by the points u, u + 1, u + 2, ...
// for one uniform u. Each is chosen with probability exactly p_e, never twice
// (p_e <= 1), and a row holds floor or ceil of sum p_e of them, so its count
// of elements is L: independent draws per element would give rows of
// Poisson-like counts instead. One order makes at most one set per interval
// of u, so there are up to 64 orders, one picked per row (and no two elements
// are kept apart for good by being neighbours in one order): a table of
// interval ends per order and per length L the histogram allows, within 8 MB.
class ArrayGenerator : public ColumnGenerator {
 public:
  explicit ArrayGenerator(const ColumnContext& c)
      : key_(stream_key(c.seed, c.table->name, c.column->name)), shape_(c.column->dist) {
    const Distribution& d = c.column->dist;
    const size_t n = d.elements.size();
    for (const auto& e : d.elements) {
      texts_.push_back(array_element_text(e));
      plain_ = plain_ && plain_text(texts_.back());
    }
    length_table_.assign(shape_.pmf.size(), -1);
    size_t used = 0;
    for (size_t l = 1; l < shape_.pmf.size(); ++l)
      if (shape_.pmf[l] > 0) length_table_[l] = static_cast<int32_t>(used++);
    // At most ~1M interval ends in all (8 MB): fewer orders for wide lists.
    orders_ = std::clamp<size_t>(1000000 / std::max<size_t>(1, used * (n + 1)), 1, 64);
    const uint64_t order_key = stream_key(c.seed, c.table->name, c.column->name, "order");
    for (size_t o = 0; o < orders_; ++o) {
      std::vector<uint32_t> order(n);
      if (n > 0) {
        Permutation shuffle(n, order_key + o);
        for (size_t i = 0; i < n; ++i) order[i] = static_cast<uint32_t>(shuffle(i));
      }
      for (size_t l = 1; l < shape_.pmf.size(); ++l) {
        if (length_table_[l] < 0) continue;
        std::vector<double> ends(n + 1, 0.0);
        for (size_t i = 0; i < n; ++i)
          ends[i + 1] = ends[i] + std::min(1.0, shape_.rates[order[i]] * static_cast<double>(l));
        ends_.push_back(std::move(ends));
      }
      orders_of_.push_back(std::move(order));
    }
    used_lengths_ = used;
    uint64_t domain = d.element_rest > 0
                          ? static_cast<uint64_t>(std::ceil(shape_.tail_per_row / d.element_rest))
                          : 0;
    tail_ = std::make_unique<TailElements>(
        array_element_type(c.column->type), d.elements,
        stream_key(c.seed, c.table->name, c.column->name, "tail"), domain);
    domain_ = domain;
    for (size_t b = 0; b + 1 < d.lengths.size(); ++b)
      buckets_.emplace_back(static_cast<uint64_t>(d.lengths[b]),
                            static_cast<uint64_t>(d.lengths[b + 1]));
  }
  Datum::Kind kind() const override { return Datum::Kind::kText; }

  void fill(const Selection& rows, const Batch&, ColumnVector& out) const override {
    out.reset(Datum::Kind::kText, rows.size());
    out.set_plain(plain_);
    std::vector<uint32_t> chosen;  // this row's listed elements (one buffer per batch)
    std::vector<uint64_t> tail;
    rows.for_each([&](size_t i, uint64_t row) {
      CounterEngine engine(key_, row);
      uint64_t length = 0;
      if (!buckets_.empty()) {
        const auto& [lo, hi] = buckets_[engine.below(buckets_.size())];
        length = lo + engine.below(hi - lo + 1);
      }
      chosen.clear();
      tail.clear();
      if (length > 0 && !texts_.empty()) {
        const size_t o = orders_ > 1 ? engine.below(orders_) : 0;
        const std::vector<double>& ends =
            ends_[o * used_lengths_ + static_cast<size_t>(length_table_[length])];
        const std::vector<uint32_t>& order = orders_of_[o];
        for (double x = engine.uniform01(); x < ends.back(); x += 1) {
          const auto at = std::upper_bound(ends.begin(), ends.end(), x) - ends.begin() - 1;
          chosen.push_back(order[static_cast<size_t>(at)]);
        }
      }
      if (domain_ > 0 && length > chosen.size()) {
        const uint64_t want = std::min<uint64_t>(length - chosen.size(), domain_);
        if (want * 8 > domain_ || want > 64) {  // a run from a random start: distinct
          const uint64_t start = engine.below(domain_);
          for (uint64_t k = 0; k < want; ++k) tail.push_back((start + k) % domain_);
        } else {
          while (tail.size() < want) {
            const uint64_t k = engine.below(domain_);
            if (std::find(tail.begin(), tail.end(), k) == tail.end()) tail.push_back(k);
          }
        }
      }
      size_t bytes = 2 + tail.size() * (TailElements::kMaxBytes + 1);
      for (uint32_t j : chosen) bytes += texts_[j].size() + 1;
      char* const begin = out.text_room(bytes);
      char* p = begin;
      *p++ = '{';
      for (uint32_t j : chosen) {
        std::memcpy(p, texts_[j].data(), texts_[j].size());
        p += texts_[j].size();
        *p++ = ',';
      }
      for (uint64_t k : tail) {
        p = tail_->put(p, k, domain_);
        *p++ = ',';
      }
      if (p[-1] == ',') --p;
      *p++ = '}';
      out.set_text(i, begin, p);
    });
  }

 private:
  uint64_t key_;
  ArrayShape shape_;
  std::vector<std::string> texts_;     // the listed elements as array-literal items
  std::vector<int32_t> length_table_;  // length L -> its row in each order's tables
  size_t used_lengths_ = 0;            // lengths with a table
  size_t orders_ = 1;                  // random orders of the listed elements
  std::vector<std::vector<uint32_t>> orders_of_;
  std::vector<std::vector<double>> ends_;  // [order * used_lengths_ + L's row]: interval ends
  std::vector<std::pair<uint64_t, uint64_t>> buckets_;
  std::unique_ptr<TailElements> tail_;
  uint64_t domain_ = 0;
  bool plain_ = true;
};

}  // namespace

std::unique_ptr<ColumnGenerator> make_array_generator(const ColumnContext& context) {
  return std::make_unique<ArrayGenerator>(context);
}

}  // namespace pgshape::gen
