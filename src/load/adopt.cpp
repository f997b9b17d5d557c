// Adopting a target schema pgshape did not create (most often `public`): while it
// holds nothing but what pgshape put there, a load moves its objects in and out
// of it with ALTER ... SET SCHEMA instead of replacing the schema, so the schema
// keeps its OID, owner, ACL, comment and default privileges, and everything that
// refers to it by OID (search_path entries resolve by name, but default ACLs,
// event triggers and extensions installed later refer to the OID) stays valid.
//
// pgshape's objects there are marked one by one: each top-level object it moves
// in gets a COMMENT starting with kOwnerMark; its parts (indexes, constraints,
// owned sequences, row and array types) count as its own through pg_depend.
// Anything else in the schema — a user's table, a statistics object, an
// extension, an object whose mark was replaced — makes it not adoptable.
#include <fmt/format.h>

#include <algorithm>
#include <optional>

#include "load/adopt.hpp"
#include "load/sql.hpp"
#include "pgshape/error.hpp"

namespace pgshape::load {
namespace {

// $1: the schema. Every object whose namespace it is, read from each catalog's
// namespace column (pg_depend alone misses objects recorded only through their
// owner) and from pg_depend (kinds the list does not name); default privileges
// for the schema are the schema's own settings, not content.
constexpr const char* kContentSql = R"sql(
WITH RECURSIVE n AS (SELECT oid FROM pg_catalog.pg_namespace WHERE nspname = $1),
content(classid, objid) AS (
  SELECT 'pg_catalog.pg_class'::pg_catalog.regclass::oid, oid FROM pg_catalog.pg_class
    WHERE relnamespace = (SELECT oid FROM n)
  UNION SELECT 'pg_catalog.pg_type'::pg_catalog.regclass::oid, oid FROM pg_catalog.pg_type
    WHERE typnamespace = (SELECT oid FROM n)
  UNION SELECT 'pg_catalog.pg_proc'::pg_catalog.regclass::oid, oid FROM pg_catalog.pg_proc
    WHERE pronamespace = (SELECT oid FROM n)
  UNION SELECT 'pg_catalog.pg_constraint'::pg_catalog.regclass::oid, oid FROM pg_catalog.pg_constraint
    WHERE connamespace = (SELECT oid FROM n)
  UNION SELECT 'pg_catalog.pg_collation'::pg_catalog.regclass::oid, oid FROM pg_catalog.pg_collation
    WHERE collnamespace = (SELECT oid FROM n)
  UNION SELECT 'pg_catalog.pg_conversion'::pg_catalog.regclass::oid, oid FROM pg_catalog.pg_conversion
    WHERE connamespace = (SELECT oid FROM n)
  UNION SELECT 'pg_catalog.pg_operator'::pg_catalog.regclass::oid, oid FROM pg_catalog.pg_operator
    WHERE oprnamespace = (SELECT oid FROM n)
  UNION SELECT 'pg_catalog.pg_opclass'::pg_catalog.regclass::oid, oid FROM pg_catalog.pg_opclass
    WHERE opcnamespace = (SELECT oid FROM n)
  UNION SELECT 'pg_catalog.pg_opfamily'::pg_catalog.regclass::oid, oid FROM pg_catalog.pg_opfamily
    WHERE opfnamespace = (SELECT oid FROM n)
  UNION SELECT 'pg_catalog.pg_statistic_ext'::pg_catalog.regclass::oid, oid
    FROM pg_catalog.pg_statistic_ext WHERE stxnamespace = (SELECT oid FROM n)
  UNION SELECT 'pg_catalog.pg_ts_config'::pg_catalog.regclass::oid, oid FROM pg_catalog.pg_ts_config
    WHERE cfgnamespace = (SELECT oid FROM n)
  UNION SELECT 'pg_catalog.pg_ts_dict'::pg_catalog.regclass::oid, oid FROM pg_catalog.pg_ts_dict
    WHERE dictnamespace = (SELECT oid FROM n)
  UNION SELECT 'pg_catalog.pg_ts_parser'::pg_catalog.regclass::oid, oid FROM pg_catalog.pg_ts_parser
    WHERE prsnamespace = (SELECT oid FROM n)
  UNION SELECT 'pg_catalog.pg_ts_template'::pg_catalog.regclass::oid, oid
    FROM pg_catalog.pg_ts_template WHERE tmplnamespace = (SELECT oid FROM n)
  UNION SELECT 'pg_catalog.pg_extension'::pg_catalog.regclass::oid, oid FROM pg_catalog.pg_extension
    WHERE extnamespace = (SELECT oid FROM n)
  UNION SELECT d.classid, d.objid FROM pg_catalog.pg_depend d
    WHERE d.refclassid = 'pg_catalog.pg_namespace'::pg_catalog.regclass
      AND d.refobjid = (SELECT oid FROM n)
      AND d.classid <> 'pg_catalog.pg_default_acl'::pg_catalog.regclass
),
-- Marked objects, and what is part of one: an 'i'nternal dependency (a row
-- type, an identity sequence, a constraint's index) or an 'a'uto one from
-- anything a user could not create on its own (an index, a serial's sequence,
-- a constraint). A partition or a statistics object on a marked table depends
-- on it 'a'uto too, but is a table or object in its own right: it needs its own mark.
ours(classid, objid) AS (
  SELECT c.classid, c.objid FROM content c
  JOIN pg_catalog.pg_description m ON m.classoid = c.classid AND m.objoid = c.objid
   AND m.objsubid = 0 AND pg_catalog.starts_with(m.description, $2)
  UNION
  SELECT d.classid, d.objid FROM ours o
  JOIN pg_catalog.pg_depend d ON d.refclassid = o.classid AND d.refobjid = o.objid
  WHERE d.deptype = 'i' OR (d.deptype = 'a'
    AND d.classid <> 'pg_catalog.pg_statistic_ext'::pg_catalog.regclass
    AND NOT (d.classid = 'pg_catalog.pg_class'::pg_catalog.regclass AND EXISTS (
      SELECT 1 FROM pg_catalog.pg_class r WHERE r.oid = d.objid AND r.relkind IN ('r', 'p', 'f', 'v', 'm'))))
),
foreign_objects AS (
  SELECT c.* FROM content c
  WHERE NOT EXISTS (SELECT 1 FROM ours o WHERE o.classid = c.classid AND o.objid = c.objid)
),
-- A part of another foreign object (an index of a user's table, its row type)
-- is not named on its own.
judged AS (
  SELECT f.*, EXISTS (
    SELECT 1 FROM pg_catalog.pg_depend d JOIN foreign_objects g
      ON g.classid = d.refclassid AND g.objid = d.refobjid
    WHERE d.classid = f.classid AND d.objid = f.objid AND d.deptype IN ('i', 'a')
      AND NOT (g.classid = f.classid AND g.objid = f.objid)) AS part
  FROM foreign_objects f
)
SELECT pg_catalog.pg_describe_object(j.classid, j.objid, 0), j.part,
       pg_catalog.count(*) FILTER (WHERE NOT j.part) OVER ()
FROM judged j
ORDER BY j.part, 1 LIMIT $3
)sql";

// $1: the schema. Its top-level objects, the ones ALTER ... SET SCHEMA, COMMENT
// and DROP name: not a part that moves with its owner (an identity or serial
// sequence, anything 'i'nternal to another object), with the statement keyword
// for its kind. A partition and a statistics object move on their own.
constexpr const char* kRootsSql = R"sql(
SELECT d.classid, d.objid,
  CASE WHEN d.classid = 'pg_catalog.pg_type'::pg_catalog.regclass
            AND (SELECT t.typtype FROM pg_catalog.pg_type t WHERE t.oid = d.objid) = 'd' THEN 'DOMAIN'
       WHEN i.type = 'statistics object' THEN 'STATISTICS'
       WHEN i.type = 'composite type' THEN 'TYPE'
       ELSE pg_catalog.upper(i.type) END
FROM pg_catalog.pg_depend d
CROSS JOIN LATERAL pg_catalog.pg_identify_object(d.classid, d.objid, 0) i
WHERE d.refclassid = 'pg_catalog.pg_namespace'::pg_catalog.regclass
  AND d.refobjid = (SELECT oid FROM pg_catalog.pg_namespace WHERE nspname = $1)
  AND d.deptype = 'n' AND d.objsubid = 0
  AND d.classid <> 'pg_catalog.pg_default_acl'::pg_catalog.regclass
  AND NOT EXISTS (
    SELECT 1 FROM pg_catalog.pg_depend o
    WHERE o.classid = d.classid AND o.objid = d.objid
      AND ((o.deptype = 'i' AND NOT (o.refclassid = d.classid AND o.refobjid = d.objid))
        OR (o.deptype = 'a' AND i.type = 'sequence'
            AND o.refclassid = 'pg_catalog.pg_class'::pg_catalog.regclass AND o.refobjsubid <> 0)))
ORDER BY d.classid = 'pg_catalog.pg_class'::pg_catalog.regclass DESC, d.classid, d.objid
)sql";

struct Root {
  std::string classid, objid, keyword;
};

std::vector<Root> roots(pqxx::transaction_base& tx, const std::string& schema) {
  std::vector<Root> out;
  for (const auto& row : tx.exec_params(kRootsSql, schema))
    out.push_back({row[0].as<std::string>(), row[1].as<std::string>(), row[2].as<std::string>()});
  return out;
}

// The object's qualified, quoted name as its statements take it ("s.t",
// "s.f(integer)"), or nullopt once it is gone or no longer in `schema`.
std::optional<std::string> identity_in(pqxx::transaction_base& tx, const Root& root,
                                       const std::string& schema) {
  auto rows = tx.exec_params(
      "SELECT i.identity FROM pg_catalog.pg_identify_object($1::oid, $2::oid, 0) i "
      "WHERE i.schema = $3",
      root.classid, root.objid, schema);
  if (rows.empty() || rows[0][0].is_null()) return std::nullopt;
  return rows[0][0].as<std::string>();
}

}  // namespace

ForeignObjects foreign_objects(pqxx::transaction_base& tx, const std::string& schema,
                               size_t listed) {
  ForeignObjects out;
  for (const auto& row :
       tx.exec_params(kContentSql, schema, std::string(kOwnerMark), static_cast<int64_t>(listed))) {
    // Parts are named only when nothing else is (they come last).
    if (row[1].as<bool>() && !out.listed.empty()) break;
    out.listed.push_back(row[0].as<std::string>());
    out.total = std::max<int64_t>(row[2].as<int64_t>(), static_cast<int64_t>(out.listed.size()));
  }
  return out;
}

void move_objects(pqxx::transaction_base& tx, const std::string& from, const std::string& to,
                  const std::string& note) {
  for (const Root& root : roots(tx, from)) {
    // A partitioned table's sequence or a type may have moved with an object before it.
    const auto identity = identity_in(tx, root, from);
    if (!identity) continue;
    tx.exec0(fmt::format("ALTER {} {} SET SCHEMA {}", root.keyword, *identity, quote_ident(to)));
    if (note.empty()) continue;
    const std::string moved = identity_in(tx, root, to).value_or("");
    if (moved.empty()) continue;
    const std::string existing =
        tx.exec_params1(
              "SELECT coalesce((SELECT description FROM pg_catalog.pg_description "
              "WHERE classoid = $1::oid AND objoid = $2::oid AND objsubid = 0), '')",
              root.classid, root.objid)[0]
            .as<std::string>();
    // A comment the user's DDL gave the object stays readable behind the mark.
    const std::string text = existing.rfind(kOwnerMark, 0) == 0 ? existing
                             : existing.empty()                 ? owner_comment(note)
                                                                : owner_comment(existing);
    tx.exec0(fmt::format("COMMENT ON {} {} IS '{}'", root.keyword, moved, tx.esc(text)));
  }
  // Whatever stayed behind would be dropped with `from`: a kind SET SCHEMA skipped.
  if (const auto left = roots(tx, from); !left.empty())
    throw InternalError(fmt::format("schema '{}' still holds {} object{} after moving them to '{}'",
                                    from, left.size(), left.size() == 1 ? "" : "s", to));
}

void drop_objects(pqxx::transaction_base& tx, const std::string& schema) {
  for (const Root& root : roots(tx, schema)) {
    const auto identity = identity_in(tx, root, schema);
    if (!identity) continue;  // dropped with an object before it
    tx.exec0(fmt::format("DROP {} {} CASCADE", root.keyword, *identity));
  }
}

}  // namespace pgshape::load
