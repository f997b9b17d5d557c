// The profile module: what a profile file says, read and validated. A Profile
// is a plain value built by load_profile; once built it is valid (every table
// and column it names exists, every distribution has usable parameters, foreign
// keys form a loadable graph). Generators and loaders read it, never change it.
#pragma once

#include <cstdint>
#include <map>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "pgshape/error.hpp"

namespace pgshape {

// ---------------------------------------------------------------------------
// The profile model: what a profile file says, after parsing and validation.
//
// A Profile is a plain value built by `load_profile` (profile_parser.hpp). Once
// built it is valid: every table and column it names exists, every distribution
// has usable parameters, and foreign keys form a loadable graph. Generators and
// loaders read it and never change it.

struct SourcePos {
  int line = 0;  // 1-based; 0 = unknown
  int column = 0;
};

enum class PgType {
  kSmallint,
  kInteger,
  kBigint,
  kNumeric,
  kReal,
  kDouble,
  kText,
  kVarchar,
  kChar,  // character(n): blank-padded by the server
  kBoolean,
  kDate,
  kTimestamp,
  kTimestamptz,
  kUuid,
};

struct ColumnType {
  PgType kind = PgType::kText;
  int precision = 0;  // numeric(p,s); 0 = unconstrained
  int scale = 0;      // numeric(p,s) digits after the point
  int length = 0;     // varchar(n), character(n); 0 = unbounded
  // A type of the profile's own `types:` (an enum or a domain), as PostgreSQL
  // names it; "" for a built-in type. Values are generated as `kind` (text for an
  // enum's labels, the base type for a domain) and the column is declared with this.
  std::string user_type;
  // A type pgshape does not generate (text[], jsonb, ...), for a column that is
  // all NULL: `user_type` is then its SQL spelling, used verbatim.
  bool opaque = false;

  std::string sql() const;     // as PostgreSQL spells it: "numeric(10,2)", "varchar(16)"
  bool is_integer() const;     // smallint, integer, bigint
  bool is_fractional() const;  // numeric, real, double precision
  bool is_textual() const;     // text, varchar, character
  // The most characters a value may have: n of varchar(n) or character(n), else 0.
  int max_chars() const;
  bool is_temporal() const;  // date, timestamp, timestamptz
  // Largest and smallest value an integer column can hold (for domain checks).
  int64_t integer_max() const;
  int64_t integer_min() const;
};

// Parses "bigint", "int8", "numeric(10,2)", "character varying(20)", ...; nullopt if unknown.
std::optional<ColumnType> parse_column_type(std::string_view text);
// The element type of an array column (opaque "text[]", "integer[]"), when
// pgshape generates that type; nullopt otherwise.
std::optional<ColumnType> array_element_type(const ColumnType& type);
// An opaque column of type jsonb or json.
bool is_json_type(const ColumnType& type);

enum class DistKind {
  kSequence,     // start + row * step
  kUniform,      // min..max (numbers, dates, timestamps)
  kNormal,       // mean, stddev, optional min/max clamp
  kLognormal,    // mu, sigma of the log; optional min/max clamp
  kZipf,         // rank 1..n with P(k) ~ 1/k^s
  kHotset,       // `hot` items take `share`; the rest follow Zipf(s)
  kWeighted,     // values with weights
  kBernoulli,    // true with probability p
  kTimeline,     // timestamps that grow with the row number, +- jitter
  kWords,        // text made of words from a list
  kPattern,      // text from a pattern: # digit, ? letter, * letter or digit
  kUuid,         // random (version 4 layout) UUIDs
  kCopy,         // a column of the parent row chosen by a foreign key of this table
  kEmpirical,    // most common values + histogram, as pg_stats describes a column
  kFanout,       // foreign key: each parent used gets k children, k drawn from `values`
  kChildNumber,  // a child's number among its fan-out parent's children: start..start+k-1
  kArray,        // arrays (text[], integer[], ...) shaped by pg_stats' element statistics
  kDocument,     // jsonb objects: key sets and per-key values taken from sampled documents
};

std::string_view to_string(DistKind kind);

struct Distribution {
  DistKind kind = DistKind::kUniform;
  SourcePos pos;

  int64_t start = 1;  // sequence
  int64_t step = 1;   // sequence
  // Bounds in the column's own units: days since 2000-01-01 for dates,
  // microseconds since 2000-01-01 00:00 UTC for timestamps, the number otherwise.
  // The parser rounds them inward to values the column can hold: [ceil(min),
  // floor(max)] for integers, s decimals for numeric(p,s); so every value drawn
  // inside them, rounded as the column rounds, stays inside what was written.
  std::optional<double> min;
  std::optional<double> max;
  double mean = 0, stddev = 1;  // normal
  double mu = 0, sigma = 1;     // lognormal
  double s = 1.0;               // zipf / hotset exponent
  int64_t n = 0;                // zipf / hotset domain; 0 = the parent's rows (foreign keys)
  int64_t hot = 0;              // hotset: how many items are hot
  double share = 0;             // hotset: the share of rows that pick a hot item
  double p = 0.5;               // bernoulli
  double jitter = 0;            // timeline: how far a value may stray, as a fraction of the range
  std::vector<std::string> values;   // weighted values, empirical most common values
  std::vector<double> weights;       // weighted weights, empirical most common freqs
  std::vector<std::string> words;    // words: the vocabulary
  int min_words = 1, max_words = 3;  // words: how many per value (uniform between)
  std::string pattern;               // pattern
  std::string copy_from_fk;          // copy: the foreign-key column of this table ...
  std::string copy_parent_column;    // ... and the parent's column to copy
  // empirical: what pg_stats says about the values not in `values`
  std::vector<std::string> histogram;  // histogram_bounds, sorted
  double n_distinct = 0;               // pg_stats convention: < 0 is a fraction of rows
  double correlation = 0;              // physical order vs value order, -1..1
  double avg_width = 0;  // average stored width in bytes (pg_stats avg_width); 0 = unspecified
  // child_number: the fanout foreign key of the same table whose children it numbers.
  std::string of;
  // array (`elements:`, `lengths:`): the most common elements as the element
  // type's literals, with the share of non-NULL rows holding each (pg_stats'
  // most_common_elems / most_common_elem_freqs); `element_rest` the share holding
  // each element not listed; `lengths` the distinct elements per row as
  // equal-count histogram bounds (elem_count_histogram without its average).
  std::vector<std::string> elements;
  std::vector<double> element_freqs;
  double element_rest = 0;
  std::vector<double> lengths;
  // document (`key_sets:`, `keys:`): which keys a document holds (each set with
  // its weight) and, per key, its values as JSON texts with weights.
  std::vector<std::vector<std::string>> key_sets;
  std::vector<double> key_set_weights;
  struct DocumentKey {
    std::string name;
    std::vector<std::string> values;  // JSON texts: "red" quoted, 3, {"a": 1}
    std::vector<double> weights;
  };
  std::vector<DocumentKey> keys;
};

// What a foreign key does when its parent row changes, and when it is checked:
// PostgreSQL's words ("CASCADE", "RESTRICT", "SET NULL", "SET DEFAULT"; "" is the
// default NO ACTION), so the mirror's pg_get_constraintdef equals production's.
struct ForeignKeyActions {
  std::string on_update;
  std::string on_delete;
  bool deferrable = false;
  bool initially_deferred = false;
  // " ON UPDATE CASCADE ON DELETE SET NULL DEFERRABLE INITIALLY DEFERRED", in the
  // order pg_get_constraintdef prints them; "" for the defaults.
  std::string sql() const;
};

struct ForeignKeyRef {
  std::string table;
  std::string column;
  SourcePos pos;
  ForeignKeyActions actions;  // of this single-column key (a composite key has its own)
};

// One case of a dependent column (`given:`): rows whose parent value is `value`
// (or, for a number, date or timestamp parent written "lo..hi", lies in [lo, hi])
// draw from `dist` instead of the column's own distribution.
struct GivenCase {
  std::string value;      // the key as written: a parent value, or "lo..hi"
  bool is_range = false;  // lo..hi: bounds in the parent's units (days, microseconds)
  double lo = 0, hi = 0;
  Distribution dist;
  SourcePos pos;
};

// A column whose distribution depends on another column of the same row: the
// incident's "old categories hold old products", city -> country. Rows whose
// parent value matches no case (or is NULL) use the column's own `dist`.
struct Given {
  std::string column;  // the parent column, same table
  std::vector<GivenCase> cases;
  // A functional dependency (column -> this one) of this degree, as
  // pg_stats_ext.dependencies measures it: for that share of the parent's
  // values (chosen by the value's hash), rows outside every case take the value
  // the parent's value maps to, drawn once from the column's own dist. 0: none.
  double degree = 0;
  SourcePos pos;
};

struct Column {
  std::string name;
  SourcePos pos;
  ColumnType type;
  bool primary_key = false;
  bool unique = false;
  bool nullable = false;
  double null_fraction = 0;
  Distribution dist;
  std::optional<ForeignKeyRef> ref;  // set when the column is a foreign key
  // GENERATED ALWAYS / BY DEFAULT AS IDENTITY ("always", "by default"; "" none):
  // declared so, loaded with the generated values, its sequence set past them.
  std::string identity;
  std::optional<Given> given;  // set when the column depends on another
  // GENERATED ALWAYS AS (generated) STORED: the server computes the value from
  // the row, so it is declared so and left out of every COPY; "" for a column
  // pgshape generates. The expression as pg_get_expr prints it.
  std::string generated;
};

struct IndexSpec {
  std::string name;                  // empty: pgshape names it (index_name below)
  std::vector<std::string> columns;  // column names (quoted when built)
  std::vector<std::string> orders;   // per column: "", "DESC", "DESC NULLS LAST", ...
  std::string where;                 // partial index predicate (SQL written by the user)
  bool unique = false;
  // A UNIQUE table constraint (unique: true), as production declared it: built
  // as its index, then ALTER TABLE ... ADD CONSTRAINT ... UNIQUE USING INDEX.
  bool constraint = false;
  SourcePos pos;
  // The whole index after "ON <table>", as pg_get_indexdef prints it: "USING gin
  // (tags jsonb_path_ops) WHERE (...)". Set for what columns/orders/where cannot
  // say (expressions, INCLUDE, operator classes, GIN, GiST, BRIN, hash); then
  // `columns` lists the table's columns it uses (for checks), not its keys.
  std::string definition;
};

// A table CHECK constraint, rebuilt as written: `expr` is the expression inside
// CHECK (...), as pg_get_constraintdef prints it.
struct CheckSpec {
  std::string name;  // empty: PostgreSQL names it
  std::string expr;
  SourcePos pos;
};

// A type a profile declares (`types:`) so that its columns can use it: an enum
// with its labels, or a domain over a built-in type with its CHECKs.
struct UserType {
  std::string name;
  bool is_enum = false;
  std::vector<std::string> labels;  // enum: in sort order
  ColumnType base;                  // domain: the base type
  std::vector<std::string> checks;  // domain: CHECK expressions over VALUE
  bool not_null = false;            // domain: NOT NULL
  SourcePos pos;
};

// Something of the source a profile made by `stats` does not reproduce, and why
// (`left_out:`): shown by validate so nothing is dropped in silence.
struct LeftOut {
  std::string object;  // "index orders.orders_note_trgm", "column t.c", ...
  std::string reason;
  SourcePos pos;
};

// How many rows a table has at a scale point: fixed, or a multiple of the scale's anchor.
struct RowSpec {
  int64_t fixed = 0;      // used when per_anchor == 0
  double per_anchor = 0;  // rows = round(per_anchor * scale.anchor)
  SourcePos pos;
};

// An extended-statistics object (CREATE STATISTICS): what production's
// pg_statistic_ext holds, built on the mirror before ANALYZE so the planner's
// multi-column estimates (WHERE a = x AND b = y) match.
struct ExtStatistics {
  std::string name;                  // empty: "<table>_<col>_<col>_stat"
  std::vector<std::string> kinds;    // ndistinct, dependencies, mcv (empty: all three)
  std::vector<std::string> columns;  // at least two
  SourcePos pos;
};

// A multi-column foreign key (`foreign_keys:` of a table): child (a, b)
// REFERENCES parent (x, y), where (x, y) is a composite key the profile
// generates. The first column is a foreign key (`ref: parent.x`) that picks a
// parent row; every other column copies that row's value (`dist: copy, from:
// a.y`), so each child pair is a pair the parent holds. The first column's own
// single-column constraint is replaced by this one.
struct ForeignKeySpec {
  std::vector<std::string> columns;      // child columns, in key order
  std::string ref_table;                 // the parent table
  std::vector<std::string> ref_columns;  // the parent's key columns, same order
  SourcePos pos;
  ForeignKeyActions actions;
};

// One partition of a declaratively partitioned table (`partitions:`): created
// as CREATE TABLE <name> PARTITION OF <table> <bound>. A partition with its own
// partition_by: is itself partitioned (a sub-partitioned table) and holds its
// own partitions; the others are leaves, which load COPYs into directly when it
// can route the rows itself (load/leaf_router.hpp), else through the parent.
struct PartitionSpec {
  std::string name;
  std::string bound;  // "FOR VALUES FROM (...) TO (...)", "FOR VALUES IN (...)", "DEFAULT"
  int64_t rows = 0;   // what the source's leaf held (reltuples), for comparisons; 0 = unknown
  SourcePos pos;
  std::string partition_by;  // of a sub-partitioned partition, else ""
  SourcePos partition_by_pos;
  std::vector<PartitionSpec> partitions;  // its own partitions, when partition_by is set
};

struct Table {
  std::string name;
  SourcePos pos;
  RowSpec rows;                            // the default for every scale point
  std::map<std::string, RowSpec> rows_at;  // per scale point overrides
  std::vector<Column> columns;
  std::vector<std::string> primary_key;  // column names (one for a column-level key)
  std::vector<IndexSpec> indexes;
  std::vector<CheckSpec> checks;  // CHECK constraints, declared in CREATE TABLE
  // cluster: the fanout foreign key whose parents the rows are stored grouped by
  // (in parent row order), as production inserts line items with their order.
  // Empty: rows in no particular order of parent.
  std::string cluster;
  SourcePos cluster_pos;
  std::vector<ExtStatistics> statistics;     // `statistics:` list of CREATE STATISTICS objects
  std::vector<ForeignKeySpec> foreign_keys;  // multi-column foreign keys

  // partition_by: the text after PARTITION BY ("RANGE (created_at)"), as
  // pg_get_partkeydef prints it; empty for a plain table. Its leaves: `partitions`.
  std::string partition_by;
  SourcePos partition_by_pos;
  std::vector<PartitionSpec> partitions;

  // The multi-column foreign key `column` heads (its first column), or nullptr.
  const ForeignKeySpec* composite_foreign_key(std::string_view column) const;

  const Column* find_column(std::string_view name) const;
  int column_index(std::string_view name) const;  // -1 when absent
};

struct Scale {
  std::string name;
  int64_t anchor = 0;  // the count that `Nx` row specs multiply
  SourcePos pos;
};

// How one value of a query parameter is chosen, parsed once from the profile's
// `pick` text: the profile module owns the grammar, capture and workload read
// the structure.
struct Pick {
  enum class Kind {
    kMostCommon,  // most_common: the column's most frequent value
    kRank,        // rank:k: the k-th most frequent value (k >= 1)
    kMedian,      // median: the middle value in sort order
    kRare,        // rare: the least frequent value
    kRandom,      // random:k: k distinct values drawn with the seed (1 <= k <= 100)
    kLiteral,     // literal:v, or any text that is none of the above: v itself
  };
  Kind kind = Kind::kMostCommon;
  int k = 0;            // kRank, kRandom
  std::string literal;  // kLiteral

  // The canonical text: "most_common", "rank:3", "random:5", "literal:v" (the
  // label reports and capture files use).
  std::string label() const;
  // True unless the pick is a literal: it reads values from the param's column.
  bool needs_column() const { return kind != Kind::kLiteral; }
};

// Parses a pick as a profile writes it; nullopt (with `why` set) for rank:k or
// random:k whose k is not a whole number in range. Every other text is a literal.
std::optional<Pick> parse_pick(std::string_view text, std::string* why = nullptr);

struct QueryParam {
  std::string table;  // where values are drawn from; empty for literal-only params
  std::string column;
  std::vector<Pick> picks;  // never empty after parsing (default: most_common)
  SourcePos pos;
};

struct Query {
  std::string name;
  std::string sql;  // with $1..$n
  std::vector<QueryParam> params;
  SourcePos pos;
};

// A unit of work for load tests (`pgshape workload`): queries run in order in one
// database transaction, picked `weight` times as often as a weight-1 transaction.
struct Transaction {
  std::string name;
  std::vector<std::string> steps;  // query names
  int64_t weight = 1;
  SourcePos pos;
};

struct Experiment {
  std::string name;
  std::string sql;  // applied after the baseline capture
  SourcePos pos;
};

// An extension the profile's objects need (`extensions:`: pg_trgm for
// gin_trgm_ops): created on the target when it is available there and missing.
struct ExtensionSpec {
  std::string name;
  SourcePos pos;
};

// A function of the source schema (`functions:`) that indexes, checks, generated
// columns, views or queries call: created in the schema being built, before the
// tables. `definition` is one CREATE [OR REPLACE] FUNCTION|PROCEDURE statement
// naming it unqualified, as pg_get_functiondef prints it with the schema name cut.
struct FunctionSpec {
  std::string name;
  std::string definition;
  SourcePos pos;
};

// A view (`views:`), created in the schema being built after the tables are
// loaded: CREATE [MATERIALIZED] VIEW name AS query. Views come in profile order
// (one may read an earlier one).
struct ViewSpec {
  std::string name;
  std::string query;  // pg_get_viewdef: the SELECT, names of the schema unqualified
  bool materialized = false;
  SourcePos pos;
};

struct Profile {
  std::string file;  // the path it was read from, for messages
  std::string name;
  std::string schema;  // the schema pgshape loads into (owned by pgshape)
  uint64_t seed = 1;
  std::vector<Scale> scales;
  std::string default_scale;
  std::string ddl_sql;  // the user's own DDL, when the schema comes from a file
  // statistics: production's stats snapshot (`pgshape stats` writes it beside the
  // profile), for load --exact-stats: its path as resolved, and its JSON text,
  // checked to be a pgshape-stats snapshot. Empty: the profile has none.
  std::string statistics_file;
  std::string statistics_json;
  std::vector<Table> tables;
  std::vector<Query> queries;
  std::vector<Experiment> experiments;
  std::vector<Transaction> transactions;
  std::vector<UserType> types;            // created before the tables, in this order
  std::vector<LeftOut> left_out;          // what the import could not reproduce
  std::vector<ExtensionSpec> extensions;  // created first, outside the schema
  std::vector<FunctionSpec> functions;    // created after the types, before the tables
  std::vector<ViewSpec> views;            // created after the data

  const Table* find_table(std::string_view name) const;
  const Scale* find_scale(std::string_view name) const;
  const Query* find_query(std::string_view name) const;
  int64_t rows(const Table& table, const Scale& scale) const;
  // Tables ordered so that every parent comes before its children (nullable edges of
  // a cycle are ignored). Indices into `tables`.
  std::vector<size_t> load_order() const;
};

// ---------------------------------------------------------------------------
// Names a profile implies. The loader creates exactly these, and validation
// checks them (one relation namespace per schema, constraint names per table,
// 63 bytes): both call these functions, so they cannot disagree.

// PostgreSQL keeps 63 bytes of a name (NAMEDATALEN - 1) and cuts longer ones.
inline constexpr size_t kMaxNameBytes = 63;
// Derived names past 63 bytes are shortened as PostgreSQL's makeObjectName does:
// bytes come off the longer of table and column part (at a UTF-8 character
// boundary), never off the suffix.
// "<table>_pkey": the primary key's index and constraint.
std::string primary_key_name(const Table& table);
// "<table>_<column>_key": a unique column's index and constraint.
std::string unique_key_name(const Table& table, const Column& column);
// "<table>_<column>_fkey": a foreign key's constraint; for the first column of a
// multi-column foreign key, "<table>_<col>_<col>..._fkey" (that key's constraint).
std::string foreign_key_name(const Table& table, const Column& column);
// The index's own name, else "<table>_<col>_<col>..._idx".
std::string index_name(const Table& table, const IndexSpec& index);
// The statistics object's own name, else "<table>_<col>_<col>..._stat".
std::string statistics_name(const Table& table, const ExtStatistics& stats);

// Why `schema` cannot be the schema pgshape loads into, or "" when it can: empty,
// over 54 bytes (pgshape adds "_staging" and "_previous"), a NUL byte, or a system
// schema (pg_catalog, pg_toast, pg_temp*, any pg_* name, information_schema).
std::string target_schema_problem(std::string_view schema);
// True for names PostgreSQL reserves for itself: pg_* and information_schema.
bool is_system_schema(std::string_view schema);

// ---------------------------------------------------------------------------
// Reading a profile file into a validated Profile.
//
// Every problem is reported with its position in the file, and all of them are
// reported at once: a user fixes a profile in one pass, not one error per run.

// Reads, parses and validates the profile at `path`. Relative `file:` / `ddl:`
// paths inside it are resolved against the profile's directory, then its parent.
// Throws ProfileError carrying every diagnostic (missing file, YAML syntax, unknown
// keys with "did you mean", bad types and parameters, broken foreign keys).
Profile load_profile(const std::string& path);

// As load_profile, over text already in memory; `file_name` is used in messages.
Profile parse_profile(std::string_view text, const std::string& file_name,
                      const std::string& base_dir = ".");

// One documented profile key: drives parsing, "did you mean" and the reference docs.
struct ProfileKey {
  std::string_view section;  // "profile", "table", "column", "index", "query", ...
  std::string_view key;
  std::string_view type;  // "integer", "number", "string", "map", "list", "bool", ...
  std::string_view doc;
};
const std::vector<ProfileKey>& profile_keys();

// The profile reference (every key, every distribution) as Markdown, from the
// same table the parser uses.
std::string profile_reference_markdown();

// Validates a profile built or changed in code (the loader re-checks one whose
// column types came from the user's DDL): what parse_profile checks after
// parsing. Returns every problem found, positioned in `profile.file`.
std::vector<Diagnostic> validate_profile(const Profile& profile);

// Hand edits kept beside an imported profile (stats, refresh) ---------------

// The overlay of a profile: "mirror.yaml" -> "mirror.overlay.yaml".
std::string default_overlay_path(const std::string& profile_path);

// Merges the overlay at `overlay_path` over the profile text: maps merge key by key
// (the overlay wins), lists and scalars are replaced. A table or column the overlay
// names that the import does not have is a conflict — unless the overlay entry
// declares a new one (a column with `type`, a table with `rows` and `columns`).
// Throws ProfileError with every conflict positioned in the overlay file.
std::string merge_overlay(const std::string& profile_text, const std::string& overlay_path);

// load_profile, with the overlay merged over the profile first when it exists
// (overlay_path empty: default_overlay_path). Diagnostics name the overlay for its
// conflicts; other problems are positioned in the merged document.
Profile load_profile_with_overlay(const std::string& profile_path,
                                  const std::string& overlay_path = {});

}  // namespace pgshape
