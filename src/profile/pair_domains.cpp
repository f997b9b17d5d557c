// A pair key's domains from its columns' distributions, for the generator and
// validation alike (pgshape/pairs.hpp: pair_value_counts, pair_fit).
#include <cmath>

#include "pgshape/error.hpp"
#include "pgshape/pairs.hpp"

namespace pgshape {

std::optional<ValueCounts> pair_value_counts(const Column& c, int64_t rows, int64_t max_ranks) {
  const Distribution& d = c.dist;
  if (c.ref || c.given || rows <= 0) return std::nullopt;
  switch (d.kind) {
    case DistKind::kZipf:
    case DistKind::kHotset:
      if (d.n > max_ranks) return std::nullopt;
      return skewed_rank_counts(d, rows);
    case DistKind::kWeighted:
      return weighted_counts(d, rows);
    case DistKind::kUniform: {
      // As the generator's integers: [ceil(min), floor(max)]; without both
      // bounds its type's defaults apply, which only the generator knows.
      if (!(c.type.is_integer() || c.type.kind == PgType::kDate) || !d.min || !d.max)
        return std::nullopt;
      const double lo = std::ceil(*d.min), hi = std::floor(*d.max);
      if (!(lo <= hi) || hi - lo >= 0x1p62) return std::nullopt;
      const auto span = static_cast<uint64_t>(hi - lo) + 1;
      if (span < static_cast<uint64_t>(rows) && static_cast<int64_t>(span) > max_ranks)
        return std::nullopt;
      return uniform_counts(span, rows);
    }
    default:
      return std::nullopt;
  }
}

std::optional<PairFit> pair_fit(const Table& t, const PairKey& key, int64_t rows) {
  if (key.members.size() != 1 || rows <= 0) return std::nullopt;
  // Validation walks every scale point, and every load validates: domains
  // of a million ranks at most (a few ms). A thin domain is one of about as
  // many values as rows, so this reaches the keys the bounds let through
  // wrongly at all but the largest sizes; past it the bounds alone decide.
  constexpr int64_t kMaxRanks = int64_t{1} << 20;
  if (rows > kMaxRanks) return std::nullopt;
  std::optional<ValueCounts> families = pair_value_counts(t.columns[key.family], rows, kMaxRanks);
  if (!families) return std::nullopt;
  std::optional<ValueCounts> members =
      pair_value_counts(t.columns[key.members[0]], rows, kMaxRanks);
  if (!members) return std::nullopt;
  PairFit fit;
  fit.families = static_cast<int64_t>(families->size());
  fit.members = static_cast<int64_t>(members->size());
  try {
    const PairLayout layout(count_runs(*families), count_runs(*members), "the key");
    fit.moved = layout.moved();
  } catch (const InternalError& e) {
    fit.fits = false;
    fit.why = e.what();
  }
  return fit;
}

}  // namespace pgshape
