// Which leaf of a partitioned table each generated row belongs to, so that load
// can COPY FREEZE every leaf by itself, leaves side by side (PostgreSQL refuses
// FREEZE through a partitioned parent). Internal to src/load.
//
// Routing is exact where the client can compare or hash values as the server
// does: RANGE and LIST keys of plain columns holding integers, dates or
// timestamps, LIST keys of text, varchar, enum or boolean columns (equality of
// text is the same under every deterministic collation), and HASH keys of
// integer, date, timestamp, boolean, text, varchar or uuid columns (their
// default operator classes' extended hash functions, partition_hash.hpp), at
// every level of sub-partitioning, with NULL and DEFAULT leaves. The bounds are
// read back from the server (pg_get_expr(relpartbound)) and turned into the
// generator's values by the server's own input functions. Left to the server
// (rows go through the parent, without FREEZE): expression keys, keys with an
// operator class or collation of their own, HASH keys of enums and domains,
// and text ranges (which compare by collation). A row routed wrongly cannot go
// unnoticed: COPY into a leaf checks the partition constraint.
#pragma once

#include <cstdint>
#include <memory>
#include <string>
#include <string_view>
#include <vector>

#include "pgshape/gen.hpp"
#include "pgshape/pg.hpp"
#include "pgshape/profile.hpp"

namespace pgshape::load {

// "" when load can route the rows of `table` to its leaves itself, else why not
// (for the load's notes). `leaves` (may be null) gets the leaves, depth first.
std::string leaf_routing_problem(const TableGenerator& table, std::vector<std::string>* leaves);

class PartitionTree;

// Routes rows of one table to its leaves. Built from the server's catalogs (the
// table must exist in `schema`); then const and shared by the leaves' tasks.
class LeafRouter {
 public:
  LeafRouter(RawConnection& connection, std::string_view schema, const TableGenerator& table);
  ~LeafRouter();
  LeafRouter(const LeafRouter&) = delete;
  LeafRouter& operator=(const LeafRouter&) = delete;

  // The leaf index (leaf_routing_problem's order) of each row of [first, first
  // + n) that goes to leaf `leaf` is appended to `rows`. With `check`, a row no
  // leaf accepts throws DatabaseError as PostgreSQL would ("no partition ...").
  void select(uint64_t first, size_t n, size_t leaf, bool check, std::vector<uint64_t>& rows) const;
  // The leaf of each row of [first, first + n) into out[0..n); throws as
  // select(check) does for a row no leaf accepts.
  void leaves_of(uint64_t first, size_t n, uint8_t* out) const;

 private:
  const TableGenerator& table_;
  std::unique_ptr<PartitionTree> tree_;
};

}  // namespace pgshape::load
