// Steps several integration tests take on the way from a source to its mirror:
// `pgshape stats` into a fresh profile (then validate and load), a source schema
// of orders to hang keyed children on, and the planner's row estimate of a
// query. One copy, so each test states only what it builds and checks.
#pragma once

#include <pqxx/pqxx>

#include <string>
#include <vector>

#include "test_server.hpp"

namespace pgshape::testing {

// A path mirror.yaml in a new temporary directory named after `prefix`.
std::string fresh_profile_path(const std::string& prefix);

// What stats_validate_load leaves: the profile and what `stats` (its notes) and
// `validate` printed.
struct StatsMirror {
  std::string profile;
  CommandResult imported;
  CommandResult validated;
};

// `pgshape stats` of schema `schema` at `source_dsn` into a fresh profile, `validate`
// of it, and `load --jobs 1` into `mirror_dsn` (the schema keeps the source's name).
// Each must exit 0, else a fatal failure: call it in ASSERT_NO_FATAL_FAILURE.
void stats_validate_load(const std::string& source_dsn, const std::string& schema,
                         const std::string& mirror_dsn, const std::string& prefix,
                         StatsMirror& out);

// `pgshape stats -q` of schema `source_schema` on the test server into `profile`;
// the profile's text in `yaml`. A failed import is fatal (ASSERT_NO_FATAL_FAILURE).
void stats_of_test_schema(const std::string& source_schema, const std::string& profile,
                          std::string& yaml);

// CREATE SCHEMA `schema` and in it orders (id bigint PRIMARY KEY) holding 1..count.
void create_orders(pqxx::transaction_base& tx, const std::string& schema, int count);

// The row estimate of plain EXPLAIN (never ANALYZE) of `sql` on `dsn` with
// search_path at `schema`: the top plan node's "Plan Rows".
double planned_rows(const std::string& dsn, const std::string& schema, const std::string& sql);

}  // namespace pgshape::testing
