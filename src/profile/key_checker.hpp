// Internal to the profile module: the key checks (check_keys) as one checker
// whose parts live by concern: checks.cpp runs them over every table,
// check_refs.cpp checks foreign keys, fanout, copies and cycles,
// check_unique.cpp primary keys and whether unique columns and indexes can be.
#pragma once

#include <string_view>

#include "pgshape/profile.hpp"
#include "profile/checker.hpp"

namespace pgshape::profile {

class KeyChecker {
 public:
  explicit KeyChecker(const CheckContext& ctx) : c_(ctx), r_(ctx.r) {}

  void run();

 private:
  const CheckContext& c_;
  Reader& r_;

  void check_primary_key(const Table& table);

  void check_foreign_key(const Table& table, const Column& c);

  // A fanout foreign key: sizes that are whole numbers, every child with a
  // parent, and enough parent rows at every scale point for the parents it uses.
  void check_fanout(const Table& table, const Column& c);

  // A foreign key with `of`: distinct parents within each family of a fanout
  // key of the same table, which needs as many ranks as the largest family.
  void check_distinct_in(const Table& table, const Column& c);

  void check_child_number(const Table& table, const Column& c);

  // A multi-column foreign key: its first column picks the parent row (ref:
  // parent.x), the others copy that row's key columns, and the parent's columns
  // are its primary key or a unique index (as PostgreSQL requires).
  void check_composite_foreign_key(const Table& table, const ForeignKeySpec& fk);

  void check_copy(const Table& table, const Column& c);

  void domain_error(const Table& table, const Column& c, double domain, int64_t rows);

  void repeats_error(const Table& table, const Column& c, std::string_view why);

  // Every unique kind, against the rows of the largest scale point.
  void check_unique(const Table& table, const Column& c);

  void check_unique_words(const Table& table, const Column& c, int64_t rows);

  // A unique index holds when one of its columns is unique on its own.
  void check_unique_index(const Table& table, const IndexSpec& index);

  void check_cycles();
};

}  // namespace pgshape::profile
