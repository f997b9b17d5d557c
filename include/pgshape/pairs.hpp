// Composite keys unique by construction: a key (a, b, ...) whose columns are
// neither a fanout pair nor unique on their own is generated as pairs. The
// first column's values are families, each family as many rows as the value's
// share; the values of the other columns (a tuple, for three or more) are
// dealt to the families so that no family gets one twice, each as many rows
// as its own share. Both marginals
// are kept exactly (where the shares allow it) and nothing is remembered per
// row: a row's pair is computed from the row alone, so shards and single rows
// agree with the whole. Validation and the generator read the same choice of
// keys from here.
#pragma once

#include <cstdint>
#include <optional>
#include <string>
#include <vector>

#include "pgshape/profile.hpp"
#include "pgshape/value_counts.hpp"

namespace pgshape {

// One composite key the generator builds by pairing: columns of the table by index.
struct PairKey {
  size_t family = 0;            // the key's first column
  std::vector<size_t> members;  // its other pairable columns: a tuple distinct within each family
  std::vector<std::string> columns;  // the whole key, as the profile lists it
  SourcePos pos;
};

// A column that can hold a pair's family or member: its values come from its
// own distribution (or a plain foreign key's pick), not from another column
// of the row (copy, child_number, given, `of`, fanout).
bool pairable_column(const Column& column);

// True when a fanout pair or a unique column of `columns` already proves the key unique.
bool key_proven_unique(const Table& table, const std::vector<std::string>& columns);

// The table's composite keys (primary key, then unique indexes without
// expressions; a partial one too, unique over all rows) that need pairing:
// not proven unique otherwise, the first column pairable and at least one
// other (the members: every pairable column after the first). A key holding
// all of an earlier pairing's columns is unique by it; a key sharing only
// some with an earlier pairing is left out here and refused by validation.
std::vector<PairKey> pair_keys(const Table& table);

// How many distinct values a column's distribution can give over `rows` rows
// (a bound for validation: weighted values, a zipf domain, integers between
// min and max, n_distinct; INT64_MAX when practically unbounded).
int64_t distinct_values_bound(const Column& column, int64_t rows);

// The share of rows a column's most frequent value takes, as its distribution
// says (0 when it does not say): the largest weight, zipf's first rank, the
// first most common value's frequency, 1 / n_distinct. A pair key's members
// need at least that share of the rows in distinct values.
double largest_share(const Column& column, int64_t rows);

// The exact counts a pair key's column lays out over `rows` rows, read from
// its distribution (pgshape/value_counts.hpp: zipf and hot-set ranks,
// weighted values, uniform integers); nullopt when it cannot tell them
// cheaply, or walks more than `max_ranks` ranks (the generator samples rows).
std::optional<ValueCounts> pair_value_counts(const Column& column, int64_t rows,
                                             int64_t max_ranks = INT64_MAX);

// What the layout of a key at `rows` rows would be, from the exact counts of
// its family column and its one member (pair_key_layout_check in
// pair_domains.cpp); nullopt when either cannot tell them (a tuple of
// members, a sampled distribution) or they are too long to walk at validation.
struct PairFit {
  bool fits = true;                   // false: the pairs cannot hold the rows
  int64_t moved = 0;                  // rows laid out on another value than their counts asked
  int64_t families = 0, members = 0;  // distinct values of each side
  std::string why;                    // when it does not fit, what PairLayout said
};
std::optional<PairFit> pair_fit(const Table& table, const PairKey& key, int64_t rows);

// The pairing itself, over value indices. Families come sorted by size
// descending (family 0 the largest), member values by count descending, each
// side as runs of equal counts (pgshape/value_counts.hpp). The cells (family
// g, its r-th pair) are numbered column by column of the Young diagram:
// position H(r) + g with H(r) = sum over families of min(size, r); member j
// takes the positions [C_j, C_j + c_j). A run longer than the rows it can
// reach without meeting a family twice is cut there and the rest moves on to
// the next values (reported by moved()). Memory and time go with the runs
// and the distinct family sizes, not with the values: a run of values that
// no cut can reach is laid out whole.
class PairLayout {
 public:
  // Throws InternalError when families times member values are fewer than the
  // rows (the domain of pairs is too small), or a side is not descending;
  // `why` names the key.
  PairLayout(std::vector<CountRun> families, const std::vector<CountRun>& members,
             const std::string& why);
  int64_t rows() const { return rows_; }
  // The family (index into the sizes as sorted) and member of a position < rows().
  void locate(uint64_t position, uint64_t& family, uint64_t& member) const;
  // Rows moved from the family or member value the counts asked for: a family
  // larger than the member values, a member value more frequent than the
  // families it can reach.
  int64_t moved() const { return moved_; }
  // The member counts as laid out, one per value (O(values): for tests).
  std::vector<int64_t> member_counts() const;
  // The family sizes as laid out, one per family, after any move.
  std::vector<int64_t> family_sizes() const;

 private:
  // The column r of the diagram that holds `position`, the position's offset
  // in it, the column's height and its level (index into level_).
  void cell(uint64_t position, uint64_t& r, uint64_t& offset, uint64_t& height,
            size_t& level) const;
  uint64_t height_at(uint64_t r) const;
  // Lays out member values of count c from value j on at `position`: as many
  // as can go whole, none cut and none stretched, while the carry is 0; 0
  // when the next one needs the value-by-value rule.
  uint64_t whole_values(uint64_t position, uint64_t j, int64_t c, uint64_t left) const;

  int64_t rows_ = 0;
  int64_t moved_ = 0;
  std::vector<CountRun> families_;  // sizes descending, after any move
  uint64_t values_ = 0;             // member values
  uint64_t columns_ = 0;            // the largest family's size
  // Consecutive runs of one count (the run of member j at C_j): member
  // j >= `member` of the segment starts at start + (j - member) * count.
  struct Segment {
    uint64_t start, member, count;
  };
  std::vector<Segment> segments_;
  // The first segment of each block of 2^block_shift_ positions: a search
  // within a block, not over every segment (about as many blocks as segments).
  int block_shift_ = 0;
  std::vector<uint32_t> block_run_;
  std::vector<uint64_t> level_;       // distinct sizes ascending: u_1 < u_2 < ...
  std::vector<uint64_t> level_at_;    // H(u_{k-1}): first position of segment k
  std::vector<uint64_t> level_high_;  // families with size >= u_k (the segment's height)
  // The level of each block of 2^level_shift_ positions (cell()'s search starts there).
  int level_shift_ = 0;
  std::vector<uint32_t> level_block_;
};

}  // namespace pgshape
