// A partition key as load routes it (leaf_router.cpp): which plain columns of
// the table, compared or hashed as which kind of value. Internal to src/load.
#pragma once

#include <cstdint>
#include <string>
#include <string_view>
#include <vector>

#include "pgshape/gen.hpp"

namespace pgshape::load {

// How a key column's values are compared or hashed. For RANGE and LIST bounds
// it is also how the server turns a bound's literal into the generator's value
// (Datum): days and microseconds since 2000-01-01 for dates and timestamps.
// leaf_router.cpp's kConvertSql knows them by number: append, never reorder.
enum class Conv : uint8_t { kText, kInt, kDate, kTimestamp, kTimestamptz, kBool, kUuid };

struct Key {
  bool range = false;
  bool hash = false;
  std::vector<size_t> columns;  // in the table
  std::vector<Conv> convs;
  std::vector<size_t> slots;  // into a batch's key vectors
};

// `by` (pg_get_partkeydef's text) as plain key columns of `table`; else why
// not, for the load's notes.
std::string parse_key(const TableGenerator& table, std::string_view by, Key& key);

}  // namespace pgshape::load
