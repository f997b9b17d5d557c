// Which composite keys are built by pairing, and the pairing's layout
// (pgshape/pairs.hpp).
#include "pgshape/pairs.hpp"

#include <fmt/format.h>
#include <algorithm>
#include <cmath>
#include <functional>

namespace pgshape {

namespace {

bool listed(const std::vector<std::string>& columns, const std::string& name) {
  return std::find(columns.begin(), columns.end(), name) != columns.end();
}

bool unique_column(const Table& table, const Column& c) {
  return c.unique || (c.primary_key && table.primary_key.size() == 1) ||
         (c.dist.kind == DistKind::kSequence && c.dist.step != 0);
}

int64_t saturating_cast(double v) {
  if (!(v < 9.2e18)) return INT64_MAX;
  return std::max<int64_t>(1, static_cast<int64_t>(std::llround(v)));
}

}  // namespace

bool pairable_column(const Column& c) {
  switch (c.dist.kind) {
    case DistKind::kCopy:
    case DistKind::kChildNumber:
    case DistKind::kFanout:
      return false;
    default:
      break;
  }
  return !c.given && c.dist.of.empty() && !c.type.opaque;
}

bool key_proven_unique(const Table& table, const std::vector<std::string>& columns) {
  for (const auto& name : columns) {
    const Column* c = table.find_column(name);
    if (!c) continue;
    if (unique_column(table, *c)) return true;
    // A fanout key with its child_number, or a foreign key distinct within a fanout key's family.
    if (!c->dist.of.empty() && listed(columns, c->dist.of) &&
        (c->dist.kind == DistKind::kChildNumber || c->ref)) {
      const Column* fk = table.find_column(c->dist.of);
      if (fk && fk->ref && fk->dist.kind == DistKind::kFanout) return true;
    }
  }
  return false;
}

std::vector<PairKey> pair_keys(const Table& table) {
  std::vector<PairKey> out;
  auto consider = [&](const std::vector<std::string>& columns, SourcePos pos) {
    if (columns.size() < 2 || key_proven_unique(table, columns)) return;
    std::vector<size_t> key;
    for (const auto& name : columns) {
      const int i = table.column_index(name);
      if (i < 0 || std::find(key.begin(), key.end(), static_cast<size_t>(i)) != key.end()) return;
      key.push_back(static_cast<size_t>(i));
    }
    if (!pairable_column(table.columns[key[0]])) return;
    PairKey made{key[0], {}, columns, pos};
    for (size_t k = 1; k < key.size(); ++k)
      if (pairable_column(table.columns[key[k]])) made.members.push_back(key[k]);
    if (made.members.empty()) return;
    const auto in_key = [&](size_t c) { return std::find(key.begin(), key.end(), c) != key.end(); };
    for (const PairKey& k : out) {
      // Holding all of an earlier pairing's columns, the key is unique by it;
      // holding some, it would need them paired twice.
      std::vector<size_t> theirs = k.members;
      theirs.push_back(k.family);
      if (std::any_of(theirs.begin(), theirs.end(), in_key)) return;
    }
    out.push_back(std::move(made));
  };
  consider(table.primary_key, table.pos);
  for (const auto& index : table.indexes)
    if (index.unique && index.definition.empty())  // unique over all rows: over any part too
      consider(index.columns, index.pos);
  return out;
}

int64_t distinct_values_bound(const Column& c, int64_t rows) {
  const Distribution& d = c.dist;
  int64_t bound = INT64_MAX;
  const bool whole = c.type.is_integer() || c.type.kind == PgType::kDate;
  if (c.type.kind == PgType::kBoolean) bound = 2;
  switch (d.kind) {
    case DistKind::kWeighted:
      bound = std::min<int64_t>(bound, static_cast<int64_t>(d.values.size()));
      break;
    case DistKind::kZipf:
    case DistKind::kHotset:
      if (d.n > 0) bound = std::min(bound, d.n);
      break;
    case DistKind::kBernoulli:
      bound = std::min<int64_t>(bound, 2);
      break;
    case DistKind::kUniform:
    case DistKind::kNormal:
    case DistKind::kLognormal:
      if (whole && d.min && d.max)
        bound = std::min(bound, saturating_cast(std::floor(*d.max) - std::ceil(*d.min) + 1));
      break;
    case DistKind::kEmpirical:
      if (d.n_distinct != 0)
        bound = std::min(
            bound, saturating_cast(d.n_distinct < 0 ? -d.n_distinct * static_cast<double>(rows)
                                                    : d.n_distinct));
      else if (d.histogram.empty())
        bound =
            std::min<int64_t>(bound, std::max<int64_t>(1, static_cast<int64_t>(d.values.size())));
      break;
    default:
      break;
  }
  return std::max<int64_t>(1, std::min(bound, std::max<int64_t>(rows, 1)));
}

namespace {

// 1 / H(n, s): the first rank's share of a zipf over n (the sum's tail past a
// million terms by its integral).
double zipf_first(int64_t n, double s) {
  double h = 0;
  const int64_t direct = std::min<int64_t>(n, 1000000);
  for (int64_t k = 1; k <= direct; ++k) h += std::pow(static_cast<double>(k), -s);
  if (n > direct) {
    const auto a = static_cast<double>(direct) + 0.5, b = static_cast<double>(n) + 0.5;
    // expm1, not a difference of powers: that cancels near s = 1 (half a
    // percent of the tail's sum at s = 1 + 1e-15).
    const double log_span = std::log(b / a);
    h += s == 1 ? log_span : std::pow(a, 1 - s) * std::expm1((1 - s) * log_span) / (1 - s);
  }
  return h > 0 ? 1 / h : 0;
}

}  // namespace

double largest_share(const Column& c, int64_t rows) {
  const Distribution& d = c.dist;
  switch (d.kind) {
    case DistKind::kWeighted: {
      double total = 0, top = 0;
      for (size_t i = 0; i < d.values.size(); ++i) {
        const double w = i < d.weights.size() ? d.weights[i] : 1.0;
        total += w;
        top = std::max(top, w);
      }
      return total > 0 ? top / total : 0;
    }
    case DistKind::kZipf:
      return d.n > 0 ? zipf_first(d.n, d.s) : 0;
    case DistKind::kHotset:
      if (d.hot <= 0 || d.n <= 0) return 0;
      return std::max(d.share / static_cast<double>(std::min(d.hot, d.n)),
                      d.n > d.hot ? (1 - d.share) * zipf_first(d.n - d.hot, d.s) : 0.0);
    case DistKind::kEmpirical: {
      double top = 0;
      for (double w : d.weights) top = std::max(top, w);
      const double distinct =
          d.n_distinct < 0 ? -d.n_distinct * static_cast<double>(rows) : d.n_distinct;
      if (distinct >= 1) top = std::max(top, (1 - c.null_fraction - top) / distinct);
      return std::min(top, 1.0);
    }
    default: {
      const int64_t values = distinct_values_bound(c, rows);
      return values < INT64_MAX && values < rows ? 1 / static_cast<double>(values) : 0;
    }
  }
}

namespace {

bool descending(const std::vector<CountRun>& runs) {
  for (size_t i = 1; i < runs.size(); ++i)
    if (runs[i].count >= runs[i - 1].count) return false;
  return true;
}

// Equal neighbours as one run, empty runs dropped.
std::vector<CountRun> merged(const std::vector<CountRun>& runs) {
  std::vector<CountRun> out;
  for (const CountRun& r : runs) {
    if (r.values == 0) continue;
    if (!out.empty() && out.back().count == r.count)
      out.back().values += r.values;
    else
      out.push_back(r);
  }
  return out;
}

}  // namespace

PairLayout::PairLayout(std::vector<CountRun> families, const std::vector<CountRun>& members,
                       const std::string& why)
    : families_(merged(families)) {
  const std::vector<CountRun> counts = merged(members);
  if (!descending(families_) || !descending(counts))
    throw InternalError(why + ": a pair layout's counts are not in descending order");
  while (!families_.empty() && families_.back().count <= 0) families_.pop_back();
  for (const CountRun& f : families_) rows_ += f.count * static_cast<int64_t>(f.values);
  for (const CountRun& m : counts) values_ += m.values;
  // A family larger than there are member values cannot hold distinct ones:
  // its excess moves to the next families below that size (largest first),
  // each filled to the cap, one partly.
  const auto cap = static_cast<int64_t>(std::min<uint64_t>(values_, INT64_MAX));
  int64_t excess = 0;
  for (CountRun& f : families_)
    if (f.count > cap) excess += (f.count - cap) * static_cast<int64_t>(f.values), f.count = cap;
  moved_ += excess;
  std::vector<CountRun> filled;
  for (const CountRun& f : families_) {
    const int64_t room = cap - f.count;
    if (excess == 0 || room == 0) {
      filled.push_back(f);
      continue;
    }
    const auto full = std::min<uint64_t>(f.values, static_cast<uint64_t>(excess / room));
    excess -= static_cast<int64_t>(full) * room;
    filled.push_back({cap, full});
    uint64_t rest = f.values - full;
    if (rest > 0 && excess > 0) filled.push_back({f.count + excess, 1}), excess = 0, --rest;
    filled.push_back({f.count, rest});
  }
  families_ = merged(filled);
  if (excess > 0)
    throw InternalError(fmt::format(
        "{}: {} rows need more distinct pairs than the key's values give ({} x {} values)", why,
        rows_, family_sizes().size(), cap));
  columns_ = families_.empty() ? 0 : static_cast<uint64_t>(families_.front().count);
  // Segments of equal height: columns r in [u_{k-1}, u_k) hold the families
  // whose size reaches u_k, h_k of them.
  {
    uint64_t through = 0;  // families up to the end of each run
    std::vector<uint64_t> ends;
    for (const CountRun& f : families_) ends.push_back(through += f.values);
    uint64_t previous = 0, at = 0;
    for (size_t k = families_.size(); k-- > 0;) {
      const auto u = static_cast<uint64_t>(families_[k].count);
      level_.push_back(u);
      level_at_.push_back(at);
      level_high_.push_back(ends[k]);
      at += (u - previous) * ends[k];
      previous = u;
    }
  }
  // As for segments below: the level of each block of 2^level_shift_
  // positions, so a row's column is found in a few entries, not by a search
  // over every distinct family size.
  const auto total = static_cast<uint64_t>(rows_);
  while (level_shift_ < 63 && (total >> level_shift_) > level_at_.size()) ++level_shift_;
  const uint64_t level_blocks = total ? ((total - 1) >> level_shift_) + 1 : 0;
  level_block_.reserve(static_cast<size_t>(level_blocks) + 1);
  for (uint64_t b = 0, k = 0; b < level_blocks; ++b) {
    while (k + 1 < level_at_.size() && level_at_[k + 1] <= (b << level_shift_)) ++k;
    level_block_.push_back(static_cast<uint32_t>(k));
  }
  level_block_.push_back(static_cast<uint32_t>(level_at_.empty() ? 0 : level_at_.size() - 1));
  // Runs, cut where they would meet a family twice; what is cut moves on.
  int64_t carry = 0;
  uint64_t position = 0;
  // Runs of equal count side by side are one segment: a skewed domain has
  // far fewer distinct counts than values, and a row's member is found by a
  // division in its segment, within a table that stays in cache. A run cut
  // to nothing ends a segment.
  uint64_t next = 0;
  const auto add = [&](uint64_t j, uint64_t start, uint64_t c, uint64_t values) {
    if (c == 0) return;
    if (segments_.empty() || segments_.back().count != c || next != j)
      segments_.push_back({start, j, c});
    next = j + values;
  };
  uint64_t j = 0;
  for (const CountRun& run : counts) {
    const int64_t count = run.count;
    for (uint64_t left = run.values; left > 0;) {
      if (position >= total) {  // no rows left for these values
        carry += count * static_cast<int64_t>(left);
        j += left, left = 0;
        break;
      }
      if (carry == 0)
        if (const uint64_t whole = whole_values(position, j, count, left)) {
          add(j, position, static_cast<uint64_t>(count), whole);
          position += whole * static_cast<uint64_t>(count);
          j += whole, left -= whole;
          continue;
        }
      uint64_t r = 0, offset = 0, height = 0;
      size_t level = 0;
      cell(position, r, offset, height, level);
      const uint64_t reach = (height - offset) + std::min(offset, height_at(r + 1));
      const auto room = static_cast<int64_t>(std::min(reach, total - position));
      const int64_t want = count + carry;
      int64_t take = std::clamp<int64_t>(want, 0, room);
      // The largest family meets every column once, so the runs left must be
      // at least the columns left: when they are just enough, a run finishes
      // its column, and the next starts a column of its own.
      const uint64_t runs_after = values_ - j - 1;
      if (runs_after <= columns_ - (r + 1))
        take = std::max(take, std::min(room, static_cast<int64_t>(height - offset)));
      if (take < count) moved_ += count - take;
      carry = want - take;
      add(j, position, static_cast<uint64_t>(take), 1);
      position += static_cast<uint64_t>(take);
      ++j, --left;
    }
  }
  while (block_shift_ < 63 && (total >> block_shift_) > segments_.size()) ++block_shift_;
  const uint64_t blocks = total ? ((total - 1) >> block_shift_) + 1 : 0;
  block_run_.reserve(static_cast<size_t>(blocks) + 1);
  for (uint64_t b = 0, s = 0; b < blocks; ++b) {
    const uint64_t first = b << block_shift_;
    while (s + 1 < segments_.size() && segments_[s + 1].start <= first) ++s;
    block_run_.push_back(static_cast<uint32_t>(s));
  }
  block_run_.push_back(static_cast<uint32_t>(segments_.size()));
  if (position < total)
    throw InternalError(
        fmt::format("{}: {} rows need more distinct pairs than the key's values give ({} laid out)",
                    why, rows_, position));
}

uint64_t PairLayout::whole_values(uint64_t position, uint64_t j, int64_t count,
                                  uint64_t left) const {
  if (count <= 0) return 0;
  const auto c = static_cast<uint64_t>(count);
  uint64_t r = 0, offset = 0, height = 0;
  size_t level = 0;
  cell(position, r, offset, height, level);
  // A value starting in column r reaches at least height_at(r + 1) rows: the
  // level's own height but in its last column, where the next level's starts.
  const uint64_t end =
      level + 1 < level_at_.size() ? level_at_[level + 1] : static_cast<uint64_t>(rows_);
  const uint64_t below = level + 1 < level_high_.size() ? level_high_[level + 1] : 0;
  uint64_t limit = 0;  // values must start before it
  if (c <= below)
    limit = end;
  else if (c <= height)
    limit = end - height;
  if (limit <= position) return 0;
  uint64_t n = std::min(left, (limit - position + c - 1) / c);
  n = std::min(n, (static_cast<uint64_t>(rows_) - position) / c);
  // The rule that stretches a run to finish its column, when runs become
  // scarce, cannot apply while more values are left than columns (a value
  // at most one column further each); nor when no column here is taller.
  if (c < height) {
    const uint64_t values_left = values_ - j;
    const uint64_t columns_left = columns_ - r;
    if (values_left <= columns_left) return 0;
    n = std::min(n, values_left - columns_left);
  }
  return n;
}

std::vector<int64_t> PairLayout::member_counts() const {
  std::vector<int64_t> out(static_cast<size_t>(values_), 0);
  for (size_t k = 0; k < segments_.size(); ++k) {
    const uint64_t end =
        k + 1 < segments_.size() ? segments_[k + 1].start : static_cast<uint64_t>(rows_);
    const Segment& s = segments_[k];
    for (uint64_t j = s.member; j < s.member + (end - s.start) / s.count; ++j)
      out[static_cast<size_t>(j)] = static_cast<int64_t>(s.count);
  }
  return out;
}

std::vector<int64_t> PairLayout::family_sizes() const {
  std::vector<int64_t> out;
  for (const CountRun& f : families_) out.insert(out.end(), static_cast<size_t>(f.values), f.count);
  return out;
}

uint64_t PairLayout::height_at(uint64_t r) const {
  // The segment whose columns include r: the first level above r.
  const auto it = std::upper_bound(level_.begin(), level_.end(), r);
  return it == level_.end() ? 0 : level_high_[static_cast<size_t>(it - level_.begin())];
}

void PairLayout::cell(uint64_t position, uint64_t& r, uint64_t& offset, uint64_t& height,
                      size_t& level) const {
  const uint64_t b = position >> level_shift_;
  const auto from = level_at_.begin() + level_block_[b];
  const auto to = level_at_.begin() + std::min<size_t>(level_block_[b + 1] + 1, level_at_.size());
  const auto k = static_cast<size_t>(std::upper_bound(from, to, position) - level_at_.begin() - 1);
  const uint64_t first_column = k ? level_[k - 1] : 0;
  height = level_high_[k];
  const uint64_t into = position - level_at_[k];
  r = first_column + into / height;
  offset = into % height;
  level = k;
}

void PairLayout::locate(uint64_t position, uint64_t& family, uint64_t& member) const {
  uint64_t r = 0, height = 0;
  size_t level = 0;
  cell(position, r, family, height, level);
  const uint64_t b = position >> block_shift_;
  const auto from = segments_.begin() + block_run_[b];
  const auto to = segments_.begin() + std::min<size_t>(block_run_[b + 1] + 1, segments_.size());
  const Segment& s = *(std::upper_bound(from, to, position,
                                        [](uint64_t p, const Segment& x) { return p < x.start; }) -
                       1);
  member = s.member + (position - s.start) / s.count;
}

}  // namespace pgshape
