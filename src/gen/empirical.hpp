// The empirical column generator's class, shared by its three files: empirical.cpp
// (the model, the constructor and drawing a row's value), empirical_layout.cpp
// (how positions are cut into MCV, bucket and NULL segments, and the distinct
// values each bucket holds) and empirical_order.cpp (the shuffle that gives the
// source's correlation). Internal to src/gen; the rest of gen only calls
// make_empirical_generator (gen/columns.hpp).
#pragma once

#include <cstdint>
#include <deque>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "gen/columns.hpp"
#include "gen/quantile.hpp"

namespace pgshape::gen {

class Empirical : public ColumnGenerator, public QuantileSource {
 public:
  explicit Empirical(const ColumnContext& c);

  Datum::Kind kind() const override { return kind_; }
  void fill(const Selection& rows, const Batch&, ColumnVector& out) const override {
    out.reset(kind_, rows.size());
    std::string scratch;
    rows.for_each([&](size_t i, uint64_t row) { store_datum(out, i, draw(row, scratch)); });
  }
  // The value at a quantile of the non-NULL positions: a position's value, as
  // draw() gives it to the row at that position.
  void fill_quantiles(const double* u, size_t n, ColumnVector& out) const override;

 private:
  // How a bucket's rows fall on its values, as shares of the non-NULL rows: its
  // segment's, its first value's (the lower bound), a closed bucket's upper
  // bound's, and each value's between them.
  struct Shares {
    double segment = 0, first = 0, top = 0, inner = 0;
  };
  struct Bucket {
    double lo = 0, hi = 0;  // bounds (numbers, days, microseconds)
    double mass = 0;        // share of the non-NULL rows the histogram gives it
    uint64_t distinct = 1;  // values it holds
    Shares shares;          // how its segment's rows fall on them (plan_shares)
    bool point = false;     // a repeated bound (lo = hi): one value
    double slots = 0;       // values it can hold (integers between its bounds); 0 = unbounded
    bool last = false;      // includes its upper bound
    bool tail = false;      // beyond the source's first or last bound
    size_t text = 0;        // its lower bound in bounds_text_
    size_t code_digits = 0;
    std::vector<int64_t> skip;  // MCVs between its bounds (integers), sorted
  };
  enum class SegKind { kAtom, kBucket, kNull };
  struct Segment {
    SegKind kind;
    size_t index;  // into atoms_ or buckets_
    // A bucket with MCVs inside its bounds is cut around them: this part holds
    // the bucket's quantiles [from, to).
    double from = 0, to = 1;
  };

  void add_atom(const std::string& text) {
    atom_text_.push_back(text);  // a deque: the Datum's text stays where it is
    atoms_.push_back(weighted_literal(type_, atom_text_.back()));
  }

  size_t bucket_count() const { return bounds_.size() >= 2 ? bounds_.size() - 1 : 0; }

  static double number_of(const Datum& d) {
    return d.kind == Datum::Kind::kFloat ? d.f : static_cast<double>(d.i);
  }

  // What integers a bucket [lo, hi) spans for this type (0: unbounded).
  // Beyond 2^50 steps (tails double that) a double counts them inexactly: such ranges are
  // continuous.
  double slot_scale() const;

  // The buckets, their tails, and how many distinct values each holds.
  void plan_buckets(const Distribution& d, const std::vector<double>& freqs, double rest,
                    double distinct);

  // The shares when bucket b holds distinct[b] values (the reading of the
  // histogram in empirical.cpp, "histogram_bounds").
  std::vector<Shares> plan_shares(const std::vector<double>& distinct) const;

  // The fraction of bucket k's segment that its values 0..j-1 hold.
  double share_below(const Bucket& k, uint64_t j) const;

  // How many of bucket b's values lie below x (numbers only).
  uint64_t values_below(size_t b, double x) const;

  // What ANALYZE would estimate for n_distinct when each bucket holds
  // min(level, cap) values (its rows spread as plan_shares gives): the expected
  // distinct (d) and once-seen (f1) values of its sample, in Haas-Stokes.
  double predicted_distinct(const std::vector<double>& freqs, const std::vector<double>& caps,
                            double level) const;

  // Orders atoms and buckets by value (the NULL segment last), and accumulates
  // their share of the positions.
  void build_segments(const std::vector<double>& freqs);

  // The shuffle windows and direction that give the source's correlation.
  void plan_order(const Distribution& d, const std::vector<double>& freqs);

  // The window count x whose shuffle has rank correlation w (rows_ windows: sorted).
  double solve_windows(double w) const;

  // ANALYZE's correlation of the column: value order, ties by heap position,
  // against heap order, over the non-NULL rows.
  double measured_correlation() const;

  // The position of a row: its number shuffled within its window.
  uint64_t position(uint64_t row) const;

  struct Slot {
    size_t segment;
    uint64_t value;  // within a bucket: which of its distinct values
  };

  Slot locate(uint64_t row) const { return slot_at(position_share(row)); }
  double position_share(uint64_t row) const {
    return (static_cast<double>(position(row)) + 0.5) / static_cast<double>(rows_);
  }
  // The segment and value at a share u in [0, 1) of the positions.
  Slot slot_at(double u) const;
  Datum value_of(const Slot& slot, std::string& scratch) const;

  Datum draw(uint64_t row, std::string& scratch) const;

  // Text widths: the non-MCV values' lengths follow the histogram bounds' lengths,
  // scaled so the column's average stored width matches avg_width.
  void plan_text_widths(const Distribution& d, const std::vector<double>& freqs, double rest);

  // The j-th of a bucket's distinct values, in value order; the first is the
  // lower bound itself, and the last bucket's last its upper bound.
  Datum bucket_value(size_t b, uint64_t j, std::string& out) const;

  Datum checked_integer(double v) const;

  // A string that sorts just after its bucket's lower bound: the bound's prefix, a
  // fixed-width base-26 code of j (so the bucket's values keep their order), then
  // filler up to a length drawn from the bounds' lengths. A pure function of
  // (b, j): same index, same string.
  std::string_view synthesise_text(size_t b, uint64_t j, std::string& out) const;

  uint64_t key_;
  uint64_t shape_key_;
  ColumnType type_;
  int64_t rows_;
  Datum::Kind kind_;  // as the MCV literals parse
  const Table* table_;
  const Column* column_;
  bool numeric_ = false;
  bool text_ = false;
  double null_share_ = 0;  // of the positions: the NULL segment
  double non_null_ = 1;    // the column's non-NULL share (a foreign key's wrapper draws the rest)
  std::vector<Datum> atoms_;           // MCVs, then (small domains) the bounds' values
  std::deque<std::string> atom_text_;  // their text (kText Datums point here), for ordering too
  std::vector<double> atom_order_;     // small text domains: the order of the source's histogram
  std::vector<double> bounds_;         // numeric bounds (numbers, days, microseconds)
  std::vector<std::string> bounds_text_;
  std::vector<Bucket> buckets_;
  double length_scale_ = 1;
  double unit_ = 0;  // integer steps per unit of the bounds (slot_scale); 0 = continuous
  int max_chars_ = 0;
  std::vector<Segment> segments_;
  std::vector<double> cum_;  // cumulative share of positions at the end of each segment
  uint64_t order_key_ = key_ ^ 0x6f72646572ULL;
  double windows_ = 1;                // shuffle windows (rows_: sorted)
  std::optional<Permutation> whole_;  // the permutation of a single window
  bool reverse_ = false;
};

}  // namespace pgshape::gen
