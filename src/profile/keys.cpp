#include "profile/keys.hpp"

#include <algorithm>

namespace pgshape {

const std::vector<ProfileKey>& profile_keys() {
  static const std::vector<ProfileKey> kKeys = {
      {"profile", "name", "string", "the profile's name; also the default schema"},
      {"profile", "description", "string", "free text"},
      {"profile", "schema", "string", "the schema pgshape loads into (default: name)"},
      {"profile", "seed", "integer", "the default seed (--seed overrides)"},
      {"profile", "default_scale", "string", "the scale point `load` uses without --scale"},
      {"profile", "ddl", "string", "a .sql file with the user's own CREATE TABLE statements"},
      {"profile", "statistics", "string",
       "production's stats snapshot (stats -o X.yaml writes X.stats.json), relative to the "
       "profile; load --exact-stats restores it"},
      {"profile", "scales", "map", "scale point name -> anchor row count"},
      {"profile", "tables", "map", "table name -> table"},
      {"profile", "queries", "list", "queries `explain` captures"},
      {"profile", "experiments", "list", "SQL applied between captures"},
      {"profile", "transactions", "list",
       "query sequences `workload` runs as load-test transactions"},
      {"table", "rows", "rows", "800 (fixed), 2.5x (times the anchor) or {scale: rows}"},
      {"table", "columns", "map", "column name -> column"},
      {"table", "primary_key", "list",
       "column names of a composite primary key. Unless a unique column or a fanout key with "
       "its child_number proves it, pgshape builds it unique from its columns' own "
       "distributions: each value of the first column is a family of as many rows as its "
       "share, holding distinct values (for three or more columns, distinct tuples) of the "
       "others, each as often as its own share; validate refuses a key whose values give "
       "fewer combinations than rows"},
      {"table", "indexes", "list", "indexes built after the data"},
      {"table", "cluster", "string",
       "store the rows grouped by parent, in parent order: `parent` (the table's one fanout "
       "foreign key) or that column's name; or along a composite key built by pairing, named "
       "by its first column: each value's rows together, in value order, its other values by "
       "count (equal counts in value order), as closely as the column's correlation says "
       "(dist: empirical; negative: descending; none: fully)"},
      {"table", "statistics", "list",
       "extended statistics (CREATE STATISTICS) built before ANALYZE: {columns: [a, b], kinds: "
       "[dependencies, ndistinct, mcv], name: x}"},
      {"column", "type", "string",
       "PostgreSQL type: bigint, integer, numeric(10,2), text, ..., a name of types:, or any "
       "type (text[], jsonb, ...) for a column that is all NULL (null_fraction: 1), weighted "
       "over that type's literals, an array (dist: array), a jsonb object (dist: document) or a "
       "range of int4range, int8range, numrange, daterange, tsrange or tstzrange (dist: range)"},
      {"column", "primary_key", "bool", "the column is the primary key"},
      {"column", "unique", "bool", "every value distinct (generated without storing them)"},
      {"column", "nullable", "bool", "allow NULL (implied by null_fraction > 0)"},
      {"column", "null_fraction", "number", "share of NULLs, 0..1"},
      {"column", "ref", "string",
       "foreign key: parent_table.column (quote a part with a dot: '\"my.table\".id')"},
      {"column", "dist", "string", "the distribution (see below); default uniform"},
      {"column", "given", "string",
       "a column of the same row this one depends on; `cases` say how (the column's own dist is "
       "the default)"},
      {"column", "cases", "map",
       "given: parent value (or lo..hi for a number, date, timestamp parent) -> a distribution "
       "map ({dist: weighted, values: {...}}); keys left out are inherited from the column"},
      {"column", "degree", "number",
       "given: share (0..1) of the parent's values that determine this column outside the cases "
       "(a functional dependency, as pg_stats_ext measures it); default 0"},
      {"dist", "start", "integer",
       "sequence: first value (default 1); child_number: the first child's number (default 1)"},
      {"dist", "step", "integer", "sequence: increment (default 1)"},
      {"dist", "min", "value",
       "lower bound (number, date or timestamp); integer columns start at ceil(min), "
       "numeric(p,s) at min rounded up to s decimals; fanout: fewest children per parent"},
      {"dist", "max", "value",
       "upper bound; integer columns end at floor(max), numeric(p,s) at max rounded down; "
       "fanout: most children per parent"},
      {"dist", "mean", "number", "normal: mean"},
      {"dist", "stddev", "number",
       "normal: standard deviation; mean +- 12 stddev must fit the type, or min/max clamp"},
      {"dist", "mu", "number", "lognormal: mean of the logarithm"},
      {"dist", "sigma", "number",
       "lognormal: standard deviation of the logarithm; exp(mu + 12 sigma) must fit the type, "
       "or max clamps"},
      {"dist", "s", "number", "zipf/hotset: exponent (> 0)"},
      {"dist", "n", "integer", "zipf/hotset: domain size (default: the parent's rows)"},
      {"dist", "hot", "integer", "hotset: number of hot items"},
      {"dist", "share", "number", "hotset: share of rows that pick a hot item"},
      {"dist", "p", "number", "bernoulli: probability of true"},
      {"dist", "jitter", "number", "timeline: how far a value strays, as a fraction of the range"},
      {"dist", "values", "map",
       "weighted: value -> weight; empirical: value -> frequency; fanout: children per parent "
       "-> weight (share of the parents used)"},
      {"dist", "words", "list",
       "words: the vocabulary (not empty); text past varchar(n) / character(n) is cut at n "
       "characters (a unique code is kept whole)"},
      {"dist", "wordlist", "string", "words: a built-in vocabulary (product, lorem, ...)"},
      {"dist", "min_words", "integer", "words: fewest words per value"},
      {"dist", "max_words", "integer", "words: most words per value"},
      {"dist", "pattern", "string",
       "pattern: # digit, ? letter, * letter or digit, \\ escape; refused when longer than the "
       "column allows (a code is never cut)"},
      {"dist", "from", "string", "copy: fk_column.parent_column"},
      {"dist", "histogram", "list", "empirical: histogram bounds (sorted)"},
      {"dist", "n_distinct", "number",
       "empirical, pattern: distinct values (< 0: fraction of rows; a pattern's are spread over "
       "its codes)"},
      {"dist", "correlation", "number", "empirical: order of values along the table, -1..1"},
      {"dist", "avg_width", "number", "empirical: average stored width in bytes (text)"},
      {"dist", "of", "string",
       "child_number: the fanout foreign key whose children it numbers; a uniform, zipf or "
       "hotset foreign key: a fanout foreign key within each of whose parents it picks "
       "distinct parents (a junction table's key)"},
      {"index", "name", "string", "the index name (default: PostgreSQL's)"},
      {"index", "columns", "list",
       "columns: `name`, `name DESC NULLS LAST`, `'\"any name\" DESC'` or a map (below)"},
      {"index", "where", "string", "predicate of a partial index"},
      {"index", "unique", "bool",
       "a unique index; on two or more columns that no unique column proves, pgshape builds "
       "it unique as it builds a composite primary_key"},
      {"index", "constraint", "bool",
       "with unique: true, a UNIQUE table constraint (ALTER TABLE ... ADD CONSTRAINT ... UNIQUE), "
       "not a bare unique index"},
      {"statistics", "columns", "list", "the columns (two or more) the object covers"},
      {"statistics", "kinds", "list", "ndistinct, dependencies, mcv (default: all three)"},
      {"statistics", "name", "string", "the object's name (default: <table>_<cols>_stat)"},
      {"index_column", "column", "string", "the column's name, exactly as PostgreSQL has it"},
      {"index_column", "order", "string", "ASC, DESC, NULLS FIRST / LAST (default: ASC)"},
      {"query", "name", "string", "the query's name in reports"},
      {"query", "sql", "string", "SQL with $1..$n"},
      {"query", "file", "string", "a .sql file (path#name picks a `-- name: x` block)"},
      {"query", "params", "list", "how each $n is chosen"},
      {"param", "column", "string", "table.column whose values are drawn"},
      {"param", "pick", "list", "most_common, rank:k, median, rare, random:k or a literal"},
      {"experiment", "name", "string", "the experiment's name in reports"},
      {"experiment", "sql", "string", "SQL applied before the second capture"},
      {"experiment", "file", "string", "a .sql file instead of sql"},
      {"transaction", "name", "string", "the transaction's name (its pgbench script's file name)"},
      {"transaction", "steps", "list", "query names, run in order in one transaction"},
      {"transaction", "weight", "integer", "how often it runs relative to the others (default 1)"},
      {"profile", "types", "map",
       "type name -> an enum or a domain, created before the tables; columns name it in type:"},
      {"profile", "left_out", "list",
       "what `stats` could not reproduce, each with why (validate shows them; nothing is built "
       "from them)"},
      {"table", "checks", "list", "CHECK constraints, declared with the table"},
      {"index", "definition", "string",
       "the index after `ON <table>` as pg_get_indexdef prints it (USING gin (tags), "
       "expressions, INCLUDE, operator classes); instead of columns/where"},
      {"type", "enum", "list", "an enum's labels, in sort order"},
      {"type", "domain", "string", "a domain's base type (one pgshape generates)"},
      {"type", "check", "list", "a domain's CHECK expressions over VALUE"},
      {"type", "not_null", "bool", "a domain that refuses NULL"},
      {"check", "name", "string", "the constraint's name (default: PostgreSQL's)"},
      {"check", "check", "string",
       "the expression inside CHECK (...); over two columns, only an order: a <op> b [+/- "
       "constant]"},
      {"left_out", "object", "string", "what was left out: `index t.i`, `column t.c`, ..."},
      {"left_out", "reason", "string", "why"},
      {"table", "foreign_keys", "list",
       "multi-column foreign keys: {columns: [a, b], ref: parent(x, y)}; `a` is `ref: parent.x`, "
       "the others `dist: copy, from: a.y`. A one-column entry {columns: [a], ref: t(k)} is a "
       "constraint only, for a key the multi-column one implies (`a`'s parent column is a NOT "
       "NULL `ref: t.k`): tenant_id -> tenants(id) beside (tenant_id, user_id) -> "
       "users(tenant_id, id)"},
      {"foreign_key", "columns", "list",
       "the child's columns, in key order (two or more; one for an implied key)"},
      {"foreign_key", "ref", "string", "the parent's key: parent(x, y), the same count of columns"},
      {"column", "identity", "string",
       "always or by default: GENERATED ... AS IDENTITY (values still generated; the sequence "
       "is set past them)"},
      {"table", "partition_by", "string",
       "the text after PARTITION BY: RANGE (created_at), LIST (region), HASH (id)"},
      {"table", "partitions", "list",
       "the partitions of a partitioned table; load routes each row to its leaf and COPYs "
       "each leaf FROZEN (an expression key, or a type it does not compare or hash: through "
       "the table, PostgreSQL routes)"},
      {"partition", "name", "string", "the leaf table's name"},
      {"partition", "bound", "string",
       "FOR VALUES FROM (..) TO (..), FOR VALUES IN (..), FOR VALUES WITH (..) or DEFAULT"},
      {"partition", "rows", "integer", "rows the source's leaf held (informational)"},
      {"dist", "elements", "map",
       "array: {values: {element: share of non-NULL rows holding it}, rest: share holding each "
       "element not listed} (pg_stats' most_common_elems and their freqs)"},
      {"dist", "lengths", "list",
       "array: distinct elements per row, as equal-count histogram bounds (pg_stats' "
       "elem_count_histogram without its last entry, the average)"},
      {"dist", "key_sets", "map",
       "document: a list of keys (as JSON: '[\"color\", \"size\"]') -> weight: which keys a "
       "jsonb object holds"},
      {"dist", "keys", "map",
       "document: key -> {JSON value: weight} ('\"red\"': 3, '12': 1, '{\"a\": 1}': 1)"},
      {"dist", "lower", "map",
       "range: the lower bound's distribution, a map as a column's ({dist: uniform, min: "
       "'2024-01-01', max: '2024-12-31'}) of the range's bound type"},
      {"dist", "length", "map",
       "range: the length's distribution (upper - lower, as pg_stats' range_length_histogram "
       "measures it: seconds for tsrange and tstzrange, days for daterange, the difference for "
       "numbers; whole for int4range, int8range, daterange), e.g. {dist: empirical, histogram: "
       "[3600, 7200, 86400]}; a draw below 0 (below 1 for a whole length) counts as that"},
      {"dist", "empty", "number", "range: share (0..1) of non-NULL rows holding 'empty'"},
      {"dist", "lower_infinite", "number",
       "range: share (0..1) of the non-empty ranges with no lower bound"},
      {"dist", "upper_infinite", "number",
       "range: share (0..1) of the non-empty ranges with no upper bound"},
      {"dist", "bounds", "string",
       "range: '[)' (the default; the only form of int4range, int8range and daterange, which "
       "PostgreSQL canonicalises so), '[]', '(]' or '()'"},
      {"elements", "values", "map", "element literal -> share of non-NULL rows holding it (0..1]"},
      {"elements", "rest", "number",
       "share of non-NULL rows holding each element not in values (below the least of them); "
       "0: no other elements"},
      {"column", "generated", "string",
       "GENERATED ALWAYS AS (expression) STORED: the server computes the value from the row "
       "(left out of COPY; no dist, key or ref)"},
      {"column", "on_update", "string",
       "with ref: cascade, restrict, set null, set default or no action (the default)"},
      {"column", "on_delete", "string",
       "with ref: cascade, restrict, set null, set default or no action (the default)"},
      {"column", "deferrable", "bool", "with ref: the foreign key is DEFERRABLE"},
      {"column", "initially_deferred", "bool",
       "with ref and deferrable: the key is checked at commit (INITIALLY DEFERRED)"},
      {"foreign_key", "on_update", "string", "as a column's on_update"},
      {"foreign_key", "on_delete", "string", "as a column's on_delete"},
      {"foreign_key", "deferrable", "bool", "as a column's deferrable"},
      {"foreign_key", "initially_deferred", "bool", "as a column's initially_deferred"},
      {"profile", "extensions", "list",
       "extensions the objects need (pg_trgm, citext): CREATE EXTENSION IF NOT EXISTS on the "
       "target; load refuses when the server does not have one"},
      {"profile", "functions", "list",
       "functions indexes, checks, generated columns or views call: {name, definition}, "
       "created in the schema before the tables"},
      {"profile", "views", "list", "views created after the data: {name, query, materialized}"},
      {"function", "name", "string", "the function's name (unqualified)"},
      {"function", "definition", "string",
       "one CREATE [OR REPLACE] FUNCTION name(...) statement, as pg_get_functiondef prints it, "
       "the name unqualified"},
      {"view", "name", "string", "the view's name"},
      {"view", "query", "string", "its SELECT, as pg_get_viewdef prints it"},
      {"view", "materialized", "bool", "a materialized view (filled when created)"},
      {"partition", "partition_by", "string",
       "makes this partition itself partitioned (sub-partitions): the text after PARTITION BY"},
      {"partition", "partitions", "list",
       "the sub-partitions of a partition with partition_by, written like a table's partitions"},
  };
  return kKeys;
}

namespace profile {

std::vector<std::string_view> section_keys(std::string_view section) {
  std::vector<std::string_view> out;
  for (const auto& key : profile_keys())
    if (key.section == section) out.push_back(key.key);
  return out;
}

const std::vector<DistSpec>& distributions() {
  static const std::vector<DistSpec> kSpecs = {
      {DistKind::kSequence, "sequence", {"start", "step"}, {}},
      {DistKind::kUniform, "uniform", {"min", "max", "of"}, {}},
      {DistKind::kNormal, "normal", {"mean", "stddev", "min", "max"}, {"mean", "stddev"}},
      {DistKind::kLognormal, "lognormal", {"mu", "sigma", "min", "max"}, {"mu", "sigma"}},
      {DistKind::kZipf, "zipf", {"s", "n", "start", "of"}, {"s"}},
      {DistKind::kHotset, "hotset", {"hot", "share", "s", "n", "start", "of"}, {"hot", "share"}},
      {DistKind::kWeighted, "weighted", {"values"}, {"values"}},
      {DistKind::kBernoulli, "bernoulli", {"p"}, {"p"}},
      {DistKind::kTimeline, "timeline", {"min", "max", "jitter"}, {"min", "max"}},
      {DistKind::kWords, "words", {"words", "wordlist", "min_words", "max_words"}, {}},
      {DistKind::kPattern, "pattern", {"pattern", "n_distinct"}, {"pattern"}},
      {DistKind::kUuid, "uuid", {}, {}},
      {DistKind::kCopy, "copy", {"from"}, {"from"}},
      {DistKind::kEmpirical,
       "empirical",
       {"values", "histogram", "n_distinct", "correlation", "avg_width", "min", "max"},
       {}},
      {DistKind::kFanout, "fanout", {"values", "min", "max"}, {}},
      {DistKind::kChildNumber, "child_number", {"of", "start"}, {"of"}},
      {DistKind::kArray, "array", {"elements", "lengths"}, {"elements", "lengths"}},
      {DistKind::kDocument, "document", {"key_sets", "keys"}, {"key_sets", "keys"}},
      {DistKind::kRange,
       "range",
       {"lower", "length", "empty", "lower_infinite", "upper_infinite", "bounds"},
       {"lower", "length"}},
  };
  return kSpecs;
}

const DistSpec* find_distribution(std::string_view name) {
  for (const auto& spec : distributions())
    if (spec.name == name) return &spec;
  return nullptr;
}

std::vector<std::string_view> distribution_names() {
  std::vector<std::string_view> out;
  for (const auto& spec : distributions()) out.push_back(spec.name);
  return out;
}

}  // namespace profile

}  // namespace pgshape
