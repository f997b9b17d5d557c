// Internal to src/stats: the profile form of array and jsonb columns, written
// from their pg_stats rows (element_writer.cpp) for the profile writer.
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

}  // namespace pgshape::stats
