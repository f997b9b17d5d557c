// Empirical columns: the shape pg_stats describes, reproduced so that ANALYZE on
// the generated data reports (nearly) the same statistics again.
//
// Every row gets a position in [0, rows) by a bijection of the row number (so
// each position is used exactly once), and the position is a quantile of the
// column's value order: positions are cut into segments, in value order, of
// the most common values, the histogram's buckets and (when this generator
// draws them itself) the NULLs. Each segment gets exactly its share of rows,
// so MCV frequencies, NULLs and distinct counts come out as planned rather
// than as random draws would scatter them.
//
//   most_common_vals/freqs  one segment per value, as long as its frequency; one
//                           that lies between a bucket's bounds cuts the bucket
//                           there, so value order (and correlation) stays true
//   histogram_bounds        the remaining mass, split equally (ANALYZE builds
//                           them equi-depth); beyond the first and last bound a
//                           thin tail when the source's sample could not see its
//                           extremes (tables larger than ANALYZE's sample). A
//                           bound is a value of both buckets it separates: each
//                           bucket gives the values between its bounds a full
//                           share and each bound half of one (the first and last
//                           bounds a full one), so a width-1 bucket [36, 37]
//                           splits its rows between 36 and 37, and a bound
//                           repeated [v, v, v] gives v those buckets' rows (a
//                           bucket of under two rows a value keeps a row on
//                           each of its own: near-unique columns stay unique)
//   n_distinct              spread over the buckets by water-filling: each bucket
//                           the same number of distinct values, but never more than
//                           it can hold (the integers between its bounds, its
//                           rows), the rest going to the buckets that can; solved
//                           so that ANALYZE's own estimator (Haas-Stokes on a
//                           30,000-row sample) reports the source's figure again.
//                           The bucket's j-th value sits at j / distinct of its
//                           width; its first value is the bound itself (a
//                           repeated bound's bucket holds just that value)
//   small domains           when the MCVs and the histogram bounds hold every
//                           value (n_distinct <= their count), exactly those
//                           values, bounds weighted by how often they appear;
//                           unique columns so get each value once
//   correlation             the position is the row number shuffled within
//                           windows (reversed for negative correlation): a window
//                           of the whole table is a random order, windows of one
//                           row the sorted order; the window length is solved
//                           for ANALYZE's correlation (ties broken by heap
//                           position). Small tables try a few shuffles and keep
//                           the one whose correlation is nearest
//   avg_width               text lengths scaled so the average stored width matches
//   null_frac               the NULL segment, last in value order (a foreign key's
//                           NULLs are drawn by its NULL wrapper instead).
//
// Owned by the stats import (src/stats); the model is Distribution in profile.hpp.
#include <algorithm>
#include <cmath>
#include <numeric>

#include <fmt/format.h>

#include "gen/empirical.hpp"
#include "pgshape/util.hpp"

namespace pgshape::gen {
namespace {

// Cuts `text` to at most `bytes` without splitting a UTF-8 sequence.
size_t utf8_cut(std::string_view text, size_t bytes) {
  if (bytes >= text.size()) return text.size();
  while (bytes > 0 && (static_cast<unsigned char>(text[bytes]) & 0xC0) == 0x80) --bytes;
  return bytes;
}

}  // namespace

Empirical::Empirical(const ColumnContext& c)
    : key_(stream_key(c.seed, c.table->name, c.column->name)),
      shape_key_(stream_key(c.seed, c.table->name, c.column->name, "shape")),
      type_(c.column->type),
      rows_(std::max<int64_t>(1, c.rows)),
      kind_(literal_kind(type_)),
      table_(c.table),
      column_(c.column) {
  const Distribution& d = c.column->dist;
  numeric_ = type_.is_integer() || type_.is_fractional() || type_.is_temporal();
  text_ = type_.is_textual();
  // A foreign key's NULLs come from its wrapper; everyone else's from here.
  null_share_ = c.column->ref ? 0 : std::clamp(c.column->null_fraction, 0.0, 1.0);
  const double non_null = std::max(1e-9, 1.0 - c.column->null_fraction);
  non_null_ = non_null;
  const double n = static_cast<double>(rows_);

  for (size_t i = 0; i < d.values.size(); ++i) add_atom(d.values[i]);
  std::vector<double> freqs(d.weights.begin(), d.weights.end());
  freqs.resize(atoms_.size(), 0);
  double mcv_mass = std::accumulate(freqs.begin(), freqs.end(), 0.0) / non_null;

  std::vector<std::string> bounds = d.histogram;
  std::vector<double> bound_numbers;
  if ((numeric_ || text_) && bounds.size() >= 2) {
    for (const auto& b : bounds) bound_numbers.push_back(number_of(weighted_literal(type_, b)));
  } else if (numeric_ && d.min && d.max && *d.max > *d.min) {
    bound_numbers = {*d.min, *d.max};
    bounds.clear();
  } else {
    bounds.clear();
  }
  // How many values the source has (pg_stats' convention: < 0 a fraction of rows).
  double distinct = d.n_distinct < 0 ? -d.n_distinct * n : d.n_distinct;
  distinct = std::min(distinct, n * non_null);

  // Small domain: every value is an MCV or a histogram bound, so those are the
  // column's values (each bound weighted by how many bounds it fills).
  std::map<std::string, int> bound_count;
  for (const auto& b : bounds) bound_count[b]++;
  const bool unique = c.column->unique || c.column->primary_key;
  const bool small =
      !bounds.empty() && d.n_distinct != 0 &&
      (unique || distinct <= static_cast<double>(atoms_.size() + bound_count.size()) + 0.5);
  if (small) {
    const double rest = std::max(0.0, 1.0 - mcv_mass);
    std::vector<std::string> seen;
    for (const auto& b : bounds)
      if (std::find(seen.begin(), seen.end(), b) == seen.end()) seen.push_back(b);
    // Text keeps the histogram's order (the source's collation sorted it); an
    // MCV goes where it sorts among the bounds.
    for (size_t i = 0; text_ && i < atoms_.size(); ++i) {
      const auto below = std::count_if(seen.begin(), seen.end(),
                                       [&](const std::string& b) { return b < atom_text_[i]; });
      atom_order_.push_back(static_cast<double>(below) - 0.5);
    }
    for (size_t i = 0; i < seen.size(); ++i) {
      add_atom(seen[i]);
      if (text_) atom_order_.push_back(static_cast<double>(i));
      freqs.push_back(rest * non_null * bound_count[seen[i]] / static_cast<double>(bounds.size()));
    }
    // Unique: every value equally often, so none of them takes two rows.
    if (unique)
      for (auto& f : freqs) f = non_null / static_cast<double>(freqs.size());
    bound_numbers.clear();
    bounds.clear();
    mcv_mass = std::accumulate(freqs.begin(), freqs.end(), 0.0) / non_null;
  }
  bounds_text_ = bounds;
  bounds_ = bound_numbers;

  const size_t buckets = bucket_count();
  if (buckets == 0 || mcv_mass >= 1) mcv_mass = std::min(1.0, mcv_mass);
  double rest = buckets == 0 ? 0 : std::max(0.0, 1.0 - mcv_mass);
  if (atoms_.empty() && buckets == 0) {
    add_atom(std::string());  // validated profiles never get here
    atoms_.back() = Datum::null();
    atom_order_.clear();
    freqs = {1};
  }
  // Normalise MCV + histogram mass to 1 over the non-NULL rows.
  const double total = std::accumulate(freqs.begin(), freqs.end(), 0.0) / non_null + rest;
  for (auto& f : freqs) f = f / non_null / (total > 0 ? total : 1);
  rest = total > 0 ? rest / total : 0;

  if (text_) plan_text_widths(d, freqs, rest);
  plan_buckets(d, freqs, rest, distinct);
  build_segments(freqs);
  plan_order(d, freqs);
  // One window (a random order, the usual case): its permutation built once.
  if (rows_ > 1 && windows_ <= 1)
    whole_.emplace(static_cast<uint64_t>(rows_), mix64(order_key_ ^ 0));
  max_chars_ = type_.max_chars();
}

Empirical::Slot Empirical::slot_at(double u) const {
  auto it = std::upper_bound(cum_.begin(), cum_.end(), u);
  const size_t s = std::min<size_t>(static_cast<size_t>(it - cum_.begin()), segments_.size() - 1);
  const Segment& seg = segments_[s];
  if (seg.kind != SegKind::kBucket) return {s, 0};
  const double lo_cum = s == 0 ? 0 : cum_[s - 1];
  const double width = cum_[s] - lo_cum;
  double t = width > 0 ? std::clamp((u - lo_cum) / width, 0.0, 1.0 - 1e-12) : 0;
  t = std::min(seg.from + t * (seg.to - seg.from), 1.0 - 1e-12);
  // The bucket's values in order: its first (lower bound), those between, a
  // closed bucket's upper bound, each as much of the segment as plan_shares gives.
  const Bucket& k = buckets_[seg.index];
  const Shares& sh = k.shares;
  const uint64_t count = k.distinct;
  const double x = t * sh.segment;
  if (count <= 1 || x < sh.first) return {s, 0};
  if (sh.top > 0 && x >= sh.segment - sh.top) return {s, count - 1};
  const uint64_t between = count - 1 - (sh.top > 0 ? 1 : 0);
  if (between == 0 || sh.inner <= 0) return {s, sh.top > 0 ? count - 1 : 0};
  const double i = std::floor((x - sh.first) / sh.inner);
  return {s, 1 + static_cast<uint64_t>(std::clamp(i, 0.0, static_cast<double>(between - 1)))};
}

Datum Empirical::draw(uint64_t row, std::string& scratch) const {
  return value_of(locate(row), scratch);
}

Datum Empirical::value_of(const Slot& slot, std::string& scratch) const {
  const Segment& seg = segments_[slot.segment];
  if (seg.kind == SegKind::kNull) return Datum::null();
  if (seg.kind == SegKind::kAtom) return atoms_[seg.index];
  return bucket_value(seg.index, slot.value, scratch);
}

void Empirical::fill_quantiles(const double* u, size_t n, ColumnVector& out) const {
  out.reset(kind_, n);
  // The NULL segment is last in value order: the values hold the positions before it.
  const bool nulls = segments_.back().kind == SegKind::kNull;
  const double values = nulls ? (cum_.size() >= 2 ? cum_[cum_.size() - 2] : 0) : 1;
  std::string scratch;
  for (size_t k = 0; k < n; ++k) {
    Slot slot = slot_at(std::clamp(u[k], 0.0, 1.0) * values);
    if (segments_[slot.segment].kind == SegKind::kNull && slot.segment > 0)  // rounding
      slot = slot_at(std::nextafter(cum_[slot.segment - 1], 0.0));
    store_datum(out, k, value_of(slot, scratch));
  }
}

Datum Empirical::bucket_value(size_t b, uint64_t j, std::string& out) const {
  const Bucket& k = buckets_[b];
  const auto count = static_cast<double>(k.distinct);
  const double jd = static_cast<double>(j);
  // Where value j sits in the bucket, 0..1.
  const double at = k.last && k.distinct > 1 ? jd / (count - 1) : jd / count;
  if (numeric_) {
    const double unit = unit_;
    if (unit <= 0) {
      if (type_.is_fractional()) return Datum::real(k.lo + at * (k.hi - k.lo));
      return checked_integer(k.lo + std::floor(at * (k.hi - k.lo)));  // microseconds
    }
    // Integer steps (integers, days, numeric's last digit): the j-th of the free slots.
    const double slots = k.slots;
    double index = k.last && k.distinct > 1 ? std::round(at * (slots - 1)) : std::floor(at * slots);
    index = std::clamp(index, 0.0, std::max(0.0, slots - 1));
    int64_t v = std::llround(k.lo * unit) + static_cast<int64_t>(index);
    for (int64_t skipped : k.skip)  // sorted: each MCV at or below v pushes it on
      if (skipped <= v) ++v;
    if (type_.is_fractional()) return Datum::real(static_cast<double>(v) / unit);
    return checked_integer(static_cast<double>(v));
  }
  if (!text_) return weighted_literal(type_, bounds_text_[k.text + (at < 0.5 ? 0 : 1)]);
  if (j == 0) return Datum::string(bounds_text_[k.text]);
  if (k.last && j + 1 == k.distinct) return Datum::string(bounds_text_[k.text + 1]);
  return Datum::string(synthesise_text(b, j, out));
}

Datum Empirical::checked_integer(double v) const {
  // Bounds come from literals of the column's type; anything else is no int64.
  if (!(v >= -0x1p63 && v < 0x1p63))
    refuse(*table_, *column_, kEveryRow, fmt::format("histogram value {} is no integer", v));
  return Datum::integer(static_cast<int64_t>(v));
}

std::string_view Empirical::synthesise_text(size_t b, uint64_t j, std::string& out) const {
  const Bucket& k = buckets_[b];
  CounterEngine shape(shape_key_, (static_cast<uint64_t>(b) << 40) ^ j);
  const std::string& lo = bounds_text_[k.text];
  const std::string& like = bounds_text_[shape.below(bounds_text_.size())];
  const double scaled = static_cast<double>(like.size()) * length_scale_;
  size_t length = static_cast<size_t>(scaled);
  if (shape.uniform01() < scaled - std::floor(scaled)) ++length;  // unbiased rounding
  const size_t digits = k.code_digits;
  // At least the lower bound's characters up to where it differs from the upper
  // one, so two buckets' values never meet (and sort between the bounds).
  const std::string& hi = bounds_text_[k.text + 1];
  size_t shared = 0;
  while (shared < lo.size() && shared < hi.size() && lo[shared] == hi[shared]) ++shared;
  const size_t distinguish = std::min(lo.size(), shared + 1);
  length = std::max<size_t>(length, digits + std::max<size_t>(distinguish, lo.empty() ? 1 : 0));
  size_t keep = utf8_cut(lo, length > digits ? length - digits : 0);
  if (keep < distinguish) {  // cut inside a UTF-8 character: keep all of it
    keep = distinguish;
    while (keep < lo.size() && (static_cast<unsigned char>(lo[keep]) & 0xC0) == 0x80) ++keep;
  }
  out.assign(lo, 0, keep);
  char code[16];
  uint64_t v = j;
  for (size_t i = digits; i-- > 0;) {
    code[i] = static_cast<char>('a' + v % 26);
    v /= 26;
  }
  out.append(code, digits);
  while (out.size() < length) out += static_cast<char>('a' + shape.below(26));
  if (max_chars_ > 0) {
    // varchar(n) counts characters.
    size_t chars = 0;
    for (size_t i = 0; i < out.size(); ++i) {
      if ((static_cast<unsigned char>(out[i]) & 0xC0) == 0x80) continue;
      if (++chars > static_cast<size_t>(max_chars_)) {
        out.resize(i);
        break;
      }
    }
  }
  return out;
}

std::unique_ptr<ColumnGenerator> make_empirical_generator(const ColumnContext& context) {
  return std::make_unique<Empirical>(context);
}

}  // namespace pgshape::gen
