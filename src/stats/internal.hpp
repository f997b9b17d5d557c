// Internal to src/stats: helpers the stats files share. Owned by the stats module.
#pragma once

#include <pqxx/pqxx>

#include <map>
#include <set>
#include <string>
#include <vector>

#include "pgshape/stats.hpp"

namespace YAML {
class Emitter;
}

namespace pgshape::stats {

// Makes every later transaction of `conn` READ ONLY (default_transaction_read_only),
// pins TimeZone to UTC and DateStyle to ISO so values print as the profile reads them.
void make_session_read_only(pqxx::connection& conn, const char* application);

// current_database(), pg_control_system().system_identifier (if readable), address.
DatabaseIdentity database_identity(pqxx::connection& conn);

// A catalog array read as JSON (array_to_json): its elements as text, or as numbers.
std::vector<std::string> json_strings(const std::string& text);
std::vector<double> json_numbers(const std::string& text);

// The columns of the tables of `snap` (by_oid: table OID -> index) with their
// pg_stats rows, a partitioned parent's merged from its leaves' when it has
// none; columns.cpp.
void read_columns(pqxx::dbtransaction& tx, const std::string& schema,
                  const std::map<int64_t, size_t>& by_oid, StatsSnapshot& snap);
// The primary, unique and foreign keys, indexes and CHECKs of those tables, and
// the enums and domains of the schema; constraints.cpp.
void read_constraints(pqxx::transaction_base& tx, const std::string& schema,
                      const std::map<int64_t, size_t>& by_oid, StatsSnapshot& snap);

// True when the catalog type is text-like (text, varchar, char, name, citext).
bool is_text_type(const std::string& type);

// The extended statistics of `schema`'s tables (pg_statistic_ext, pg_stats_ext)
// into `snap.tables` (by_oid: table OID -> index); ext_stats.cpp. Objects on
// expressions are kept without their data (a profile has no expressions to
// build them on): the profile writer names them in a note.
void read_extended_stats(pqxx::transaction_base& tx, const std::string& schema,
                         const std::map<int64_t, size_t>& by_oid, StatsSnapshot& snap);

// The extensions, functions and views of the schema, and what generated
// columns read (objects.cpp): catalog reads only, like the rest.
void read_objects(pqxx::transaction_base& tx, const std::string& schema,
                  const std::map<int64_t, size_t>& by_oid, StatsSnapshot& snap);
// The range statistics of `schema`'s range columns (range_stats.cpp): pg_stats'
// range_* columns on PostgreSQL 17 and later, pg_statistic's slots before (a
// superuser's, or a role granted SELECT on it); else each range column's
// range_unread says why there are none.
void read_range_stats(pqxx::transaction_base& tx, const std::string& schema,
                      const std::map<int64_t, size_t>& by_oid, StatsSnapshot& snap);
// The partitions of `schema`'s partitioned tables (pg_inherits), at every level
// of sub-partitioning, into `snap.tables` (by_oid: table OID -> index); and a
// parent's row count from its partitions' when nobody analyzed it; partitions.cpp.
void read_partitions(pqxx::transaction_base& tx, const std::string& schema,
                     const std::map<int64_t, size_t>& by_oid, StatsSnapshot& snap);

// A partitioned table's partitioning in the profile (partition_writer.cpp):
// why it cannot be rebuilt ("" when it can: every partition, at every level,
// has its bound, and under --redact no bound holds a string literal the
// redacted values would no longer fall into); partition_by: and partitions:
// with the sub-partitions; the other_objects names ("partition <name> (of
// <parent>)") that partitions: rebuilds.
std::string partitions_problem(const TableStats& t, bool redacted);
// A partitioned parent's inherited correlation follows the order ANALYZE
// sampled its leaves in (leaf after leaf), not any order of rows: replaced by
// its leaves' own, weighted by their rows (unknown when no leaf has one), so
// that the mirror does not sort one column with another across leaves.
void leaf_correlation(const TableStats& table, ColumnStats& column,
                      const std::map<std::pair<std::string, std::string>, ColumnStats>& leaves);
void write_partitions(YAML::Emitter& out, const TableStats& t);
void rebuilt_partition_names(const TableStats& t, std::set<std::string>& out);

}  // namespace pgshape::stats
