// Internal to the generator: a column's value domain read from its
// distribution, without generating rows. A composite key built by pairing
// (gen/pair_key.hpp) needs each column's distinct values with their counts
// over the table's rows; a generator that can say them implements
// DomainSource, and the pairing samples rows only for the others.
#pragma once

#include <cstdint>
#include <functional>
#include <optional>
#include <vector>

#include "pgshape/gen.hpp"
#include "pgshape/value_counts.hpp"

namespace pgshape::gen {

// keys[k] is what makes value k (a rank, a value's index, a representative
// row: the maker's own business).
using ValueDomain = ValueCounts;

// A generator whose distribution tells its domain. The domain holds no NULL:
// a pair key's rows draw NULLs on top.
class DomainSource {
 public:
  virtual ~DomainSource() = default;
  // Its values over `rows` rows; nullopt when they cannot be told cheaply
  // (the caller samples instead).
  virtual std::optional<ValueDomain> domain(int64_t rows) const = 0;
  // The values of the domain's keys, as fill() writes them.
  virtual void fill_keys(const Selection& keys, ColumnVector& out) const = 0;
  // Whether a larger key always makes a larger value as the server sorts
  // them (integers and dates from an offset or a rank): a domain's values of
  // one count, keys ascending, are then in value order already, and a
  // clustered key need not list them to sort them.
  virtual bool keys_in_value_order() const { return false; }
};

}  // namespace pgshape::gen
