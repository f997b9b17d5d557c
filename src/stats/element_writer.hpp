// Internal to src/stats: the profile form of array, jsonb and range columns,
// written from their statistics (element_writer.cpp, range_writer.cpp) for the
// profile writer.
#pragma once

#include <yaml-cpp/yaml.h>

#include <optional>
#include <string>

#include "pgshape/stats.hpp"

namespace pgshape::stats {

// Writes column `c` (of a table with `rows` rows) as dist: array (an array
// type with element statistics) or dist: document (jsonb whose sampled
// documents are all objects) and returns the note saying what is approximated;
// nullopt, having written nothing, when the column has neither shape.
std::optional<std::string> write_element_column(YAML::Emitter& out, const ColumnStats& c,
                                                double rows);
// The same for a range column with range statistics (dist: range; range_writer.cpp).
std::optional<std::string> write_range_column(YAML::Emitter& out, const ColumnStats& c);
// Why a NOT NULL column of a type without a generator is left out: " and
// pg_stats holds none of its values", or why a range's statistics are missing.
std::string no_values_reason(const ColumnStats& c);

}  // namespace pgshape::stats
