// Internal to the generator: arrays (dist: array, arrays.cpp) and jsonb
// documents (dist: document, documents.cpp), and the pieces of them the unit
// tests check on their own.
#pragma once

#include <memory>
#include <string>
#include <string_view>
#include <vector>

#include "gen/columns.hpp"

namespace pgshape::gen {

// What an array column's parameters imply, computed once: the distribution of
// a row's distinct-element count, and per listed element (in profile order)
// the rate r with P(element in a row of L elements) = min(1, r * L) that gives
// it its share of the rows.
struct ArrayShape {
  explicit ArrayShape(const Distribution& d);
  std::vector<double> pmf;  // P(L = l)
  double mean = 0;          // E[L]
  std::vector<double> rates;
  double tail_per_row = 0;  // elements outside the list a row holds, on average
};

// An element literal as an item of an array literal: quoted when PostgreSQL's
// array input would otherwise misread it ("a b", "NULL", "", "x,y").
std::string array_element_text(std::string_view literal);

std::unique_ptr<ColumnGenerator> make_array_generator(const ColumnContext& context);
std::unique_ptr<ColumnGenerator> make_document_generator(const ColumnContext& context);
// dist: range (ranges.cpp): a lower bound and a length drawn by the generators
// of the bound's and the length's own distributions.
std::unique_ptr<ColumnGenerator> make_range_generator(const ColumnContext& context);

}  // namespace pgshape::gen
