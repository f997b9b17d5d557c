// Mirroring production from its planner statistics — never its rows.
//
//   read_stats       one read-only session on the source: pg_class, pg_stats,
//                    pg_attribute, pg_constraint, pg_index, pg_statistic_ext,
//                    pg_stats_ext, pg_type and pg_enum (enums, domains); pg_depend,
//                    pg_trigger, pg_proc and pg_extension only to name what it does not
//                    rebuild. No row of a user table is read.
//   redact_snapshot  text in MCVs, histograms and partial-index predicates replaced
//                    by keyed pseudonyms of the same width that keep shared prefixes.
//   render_profile   the snapshot as a complete profile (YAML text).
//   stats_drift      per-column statistics that moved between two snapshots.
//   identify_database  which database a DSN names (refresh's target != source guard).
//
// The nightly refresh that combines these is a command: run_refresh in app.hpp.
// Owned by the stats module (src/stats). Stages return values; the CLI renders them.
#pragma once

#include <algorithm>
#include <cstdint>
#include <optional>
#include <string>
#include <vector>

#include "pgshape/profile.hpp"

namespace pgshape {

// What pg_stats (and the catalog) say about one column.
struct ColumnStats {
  std::string name;
  std::string type;  // format_type(): "bigint", "character varying(40)", ...
  bool not_null = false;
  std::string default_expr;  // pg_get_expr(adbin) or ""
  bool generated = false;    // GENERATED ALWAYS AS (default_expr) STORED
  std::string identity;      // pg_attribute.attidentity: "a", "d" or ""
  bool has_stats = false;    // a pg_stats row exists (the table was analyzed)
  // pg_stats hides this column's row from the reading role: it may not SELECT
  // the column, or row-level security is active for it on the table. Not kept
  // in the snapshot's JSON: it is about who read, not about the data.
  bool stats_hidden = false;
  // The type (or its element type) belongs to an extension ("citext", "hstore"):
  // the mirror may not have it. Its name, or "".
  std::string extension_type;
  // A generated column: the columns of its table its expression reads, and what
  // else it needs ("function f", "extension x", as IndexStats::needs).
  std::vector<std::string> generated_reads;
  std::vector<std::string> generated_needs;
  double null_frac = 0;
  double avg_width = 0;
  double n_distinct = 0;  // pg_stats convention: < 0 is a fraction of rows
  std::vector<std::string> mcv;
  std::vector<double> mcf;
  std::vector<std::string> histogram;
  std::optional<double> correlation;
  // Arrays: pg_stats' element statistics. most_common_elems (as text); their
  // freqs, which end with the least, the greatest and the NULL-element share;
  // elem_count_histogram, which ends with the average distinct elements per row.
  std::vector<std::string> mce;
  std::vector<double> mcef;
  std::vector<double> elem_counts;
  // Ranges (range_stats.cpp): the bounds histogram as range literals (their
  // lower bounds sorted, and their upper bounds), the lengths' histogram in
  // subtype_diff units (infinity for an unbounded range), the share of empty
  // ranges: pg_stats' range_* columns from PostgreSQL 17 on, pg_statistic's
  // slots of kinds 7 and 6 before. `range_unread`: why they could not be read.
  std::vector<std::string> range_bounds;
  std::vector<double> range_lengths;
  std::optional<double> range_empty;
  std::string range_unread;
};

// How many distinct values `c` holds in a table of `rows` rows: pg_stats gives a
// negative n_distinct as a fraction of the rows, so that it scales with the table.
inline double distinct_count(const ColumnStats& c, double rows) {
  return c.n_distinct < 0 ? -c.n_distinct * std::max(rows, 0.0) : c.n_distinct;
}

struct ForeignKeyStats {
  std::string name;
  std::vector<std::string> columns;
  std::string parent_table;  // same schema (others are reported and skipped)
  std::vector<std::string> parent_columns;
  std::string actions;  // "ON DELETE CASCADE DEFERRABLE ..." beyond the default, or ""
};

struct IndexStats {
  std::string name;
  std::vector<std::string> columns;  // column names; empty entry = an expression
  std::vector<std::string> orders;   // "", "DESC", "NULLS FIRST", "DESC NULLS LAST"
  std::string where;                 // partial-index predicate, as pg_get_expr prints it
  bool unique = false;
  bool constraint = false;  // backs a primary key or unique constraint
  std::string method;       // btree, hash, gin, ...
  // pg_get_indexdef after "ON <table>": "USING gin (tags) WHERE (...)", printed
  // with the source schema alone on the search path (its own names unqualified).
  std::string definition;
  // A btree over plain columns with default operator classes and collations and
  // no INCLUDE: columns/orders/where say all of it. Otherwise only `definition` does.
  bool plain = true;
  std::vector<std::string> uses;  // every column the index reads (keys, INCLUDE, expressions)
  // What it needs that the mirror does not get: "extension pg_trgm", "function f".
  std::vector<std::string> needs;
};

// A CHECK constraint of a table.
struct CheckStats {
  std::string name;
  std::string definition;            // pg_get_constraintdef: "CHECK ((price > 0))"
  std::vector<std::string> columns;  // the columns it reads
  bool validated = true;
};

// An enum or a domain of the source schema that a column uses.
struct TypeStats {
  std::string name;                 // as format_type prints it in the column's type
  char kind = 'e';                  // 'e' enum, 'd' domain
  std::vector<std::string> labels;  // enum, in sort order
  std::string base;                 // domain: format_type of its base type
  std::vector<std::string> checks;  // domain: pg_get_constraintdef of each CHECK
  bool not_null = false;            // domain
  std::vector<std::string> needs;   // domain: as IndexStats::needs, for its CHECKs
};

// An extended-statistics object (pg_statistic_ext) and what ANALYZE put in it
// (pg_stats_ext): the multi-column knowledge the planner has beyond pg_stats.
struct ExtendedStats {
  std::string name;
  std::vector<std::string> columns;  // in stxkeys order
  bool expressions = false;          // also on expressions: named in a note, not reproduced
  std::vector<std::string> kinds;    // "ndistinct", "dependencies", "mcv"
  struct Dependency {
    std::vector<std::string> from;  // the determining columns
    std::string to;
    double degree = 0;
  };
  struct NDistinct {
    std::vector<std::string> columns;
    double n = 0;
  };
  struct McvItem {
    std::vector<std::optional<std::string>> values;  // per column; nullopt = NULL
    double frequency = 0;
  };
  std::vector<Dependency> dependencies;
  std::vector<NDistinct> ndistinct;
  std::vector<McvItem> mcv;
};

// One partition of a partitioned table: its bound as pg_get_expr(relpartbound)
// prints it, and its own row count; a partition that is itself partitioned
// has its key and its own partitions (sub-partitions), and the rows of them all.
struct PartitionStats {
  std::string name;
  std::string bound;         // "FOR VALUES FROM (...) TO (...)", "DEFAULT", ...
  double reltuples = 0;      // -1: never analyzed
  bool partitioned = false;  // itself partitioned: partition_by and partitions say how
  std::string partition_by;  // pg_get_partkeydef of a partitioned partition, else ""
  std::vector<PartitionStats> partitions;
};

struct TableStats {
  std::string name;
  double reltuples = 0;  // -1: never analyzed (PostgreSQL 14+)
  int64_t relpages = 0;
  std::string partition_by;                // pg_get_partkeydef of a partitioned table, else ""
  std::vector<PartitionStats> partitions;  // its leaves (pg_inherits), in creation order
  std::vector<ColumnStats> columns;        // in attnum order
  std::vector<std::string> primary_key;
  std::vector<std::vector<std::string>> unique_keys;
  std::vector<ForeignKeyStats> foreign_keys;
  std::vector<IndexStats> indexes;
  std::vector<CheckStats> checks;
  // Constraints the profile cannot express (exclusion, ...): "name: definition".
  std::vector<std::string> other_constraints;
  std::vector<ExtendedStats> extended;  // CREATE STATISTICS objects, by name

  const ColumnStats* find_column(std::string_view column) const;
};

// A function of the source schema (not an extension's): what a mirror needs
// to create it, or why it cannot.
struct FunctionStats {
  std::string name;
  std::string label;       // "function name(args)", as other_objects names it
  std::string definition;  // pg_get_functiondef, the name unqualified; "" when not kept
  std::string problem;     // why it is not reproduced, or ""
};

// A view or materialized view of the source schema.
struct ViewStats {
  std::string name;
  std::string query;  // pg_get_viewdef, without the trailing ';'
  bool materialized = false;
  // What it reads: "table t", "column t.c", "view v", "function f", and
  // "relation s.x" for a relation of another schema.
  std::vector<std::string> reads;
  std::vector<std::string> needs;  // "extension x", as IndexStats::needs
};

struct StatsSnapshot {
  std::string database;        // current_database() of the source
  std::string schema;          // the schema read
  std::string server_version;  // server_version
  std::string taken_at;        // now() on the source, ISO 8601 UTC
  std::string role;            // current_user on the source (not kept in the JSON)
  bool redacted = false;
  std::vector<TableStats> tables;  // by name
  std::vector<TypeStats> types;    // enums and domains of the schema
  // Objects of the schema stats does not read as tables (views, sequences not
  // owned by a column, foreign tables, ...): "kind name", for the left_out list.
  std::vector<std::string> other_objects;
  std::vector<std::string> extensions;  // installed on the source (plpgsql aside)
  std::vector<FunctionStats> functions;
  std::vector<ViewStats> views;  // in an order where a view comes after those it reads

  const TableStats* find_table(std::string_view table) const;
};

struct StatsOptions {
  std::string schema = "public";
  std::vector<std::string> tables;  // empty: every ordinary or partitioned table
  bool redact = false;
};

// Reads the statistics of `options.schema` on `dsn` in one READ ONLY transaction of a
// session with default_transaction_read_only = on; only catalogs are read.
// Throws UsageError (the schema or a named table does not exist), DatabaseError.
StatsSnapshot read_stats(const std::string& dsn, const StatsOptions& options);

// Replaces every text value in MCVs and histograms (and text literals in column
// defaults and partial index predicates) by its prefix-keeping pseudonym
// (redact_text), so LIKE 'prefix%' selects the same rows' pseudonyms, equal values
// stay equal and widths stay. Numbers, dates, times, booleans and uuids are kept.
// The key: PGSHAPE_REDACT_KEY when set (stable across runs), else random.
void redact_snapshot(StatsSnapshot& snapshot);
void redact_snapshot(StatsSnapshot& snapshot, uint64_t key);

// The pseudonym of one text value: each character replaced within its class
// (a-z, A-Z, 0-9, non-ASCII of the same UTF-8 length) by a permutation keyed by
// `key` and the characters before it; other ASCII kept. Injective, and a prefix's
// pseudonym is the prefix of the value's: redact_text("abc") starts
// redact_text("ab").
std::string redact_text(std::string_view value, uint64_t key);
// The key redact_snapshot uses for PGSHAPE_REDACT_KEY=secret.
uint64_t redact_key(std::string_view secret);

struct ImportOptions {
  std::string name;  // the profile name (and default target schema)
  uint64_t seed = 1;
  double test_fraction = 0.01;  // the `test` scale point's rows / production's
  // The profile's statistics: key (the snapshot's path, relative to the profile),
  // for load --exact-stats; empty: no such key.
  std::string statistics;
};

// The snapshot as a complete profile: `production` at the observed row counts, `test`
// at test_fraction; empirical distributions; keys and indexes; foreign keys picking
// parents by the child column's statistics. `notes` (if given) receives what could
// not be reproduced (unsupported types, expression indexes, ...).
std::string render_profile(const StatsSnapshot& snapshot, const ImportOptions& options,
                           std::vector<std::string>* notes = nullptr);

// The snapshot as JSON and back (what refresh keeps for the next drift report).
std::string snapshot_to_json(const StatsSnapshot& snapshot);
StatsSnapshot snapshot_from_json(const std::string& text);

// ---------------------------------------------------------------------------
// Exact statistics: production's planner statistics written onto a mirror
// (PostgreSQL 18's statistics import), so the planner's inputs are production's
// while the generated rows stay for EXPLAIN ANALYZE. A later ANALYZE of a table
// (autovacuum's included) replaces them with what it measures on the rows.

// server_version_num of the first server with pg_restore_relation_stats and
// pg_restore_attribute_stats.
inline constexpr int kStatsImportServerVersion = 180000;

// Refuses a server before PostgreSQL 18: UsageError "db.exact-stats-unsupported"
// naming its version. Only reads settings.
void require_stats_import(const std::string& dsn);

struct ExactStatsSkip {
  std::string what;  // "table" or "table.column"
  std::string why;
};
struct ExactStatsResult {
  int tables = 0;   // reltuples restored (relpages stays the mirror's: see below)
  int columns = 0;  // pg_statistic rows replaced by the source's
  std::vector<ExactStatsSkip> skipped;
};

// For every table of `snapshot` in `schema` on `dsn`: pg_class.reltuples (relpages
// stays the mirror's real size, so the planner's density reltuples / relpages times
// that size is production's row count), then for every column the mirror has with the same type,
// its pg_statistic row cleared and set to the source's (null_frac, avg_width, n_distinct, MCVs and
// frequencies, histogram, correlation), all in one transaction. A column the
// server accepts only in part keeps its own statistics and is listed in skipped,
// with the server's warning. Tables and columns the mirror lacks are skipped too.
// Throws UsageError db.exact-stats-unsupported (server < 18), pqxx errors.
ExactStatsResult restore_exact_stats(const std::string& dsn, const std::string& schema,
                                     const StatsSnapshot& snapshot);

// A column statistic that moved between two snapshots.
struct ColumnDrift {
  std::string table;
  std::string column;   // empty for table-level figures (rows)
  std::string measure;  // "rows", "null_frac", "n_distinct", "top MCV freq", "correlation", ...
  double before = 0;
  double after = 0;
};

// The statistics that moved more than a small tolerance, largest moves first.
std::vector<ColumnDrift> stats_drift(const StatsSnapshot& before, const StatsSnapshot& after);

// Identity of a database for the target == source guard.
struct DatabaseIdentity {
  std::string system_identifier;  // pg_control_system(); "" when not readable
  std::string database;
  std::string fallback;  // inet_server_addr():port + data_directory when available
};

// The identity of the database `dsn` names, read in a session made read-only first
// (safe on a statistics source). Throws pqxx errors when it cannot connect.
DatabaseIdentity identify_database(const std::string& dsn);

// True when two identities name the same database: same name, and the same system
// identifier (or, when a role may not read it, the same address, port and directory).
bool same_database(const DatabaseIdentity& a, const DatabaseIdentity& b);

}  // namespace pgshape
