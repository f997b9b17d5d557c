// What DROP SCHEMA ... CASCADE would reach outside the schema it drops.
//
// Not a list of object kinds (views, foreign keys, ...) but the closure that
// PostgreSQL's own findDependentObjects walks in pg_depend: from the schema,
// every object that depends on a reached one (any dependency type but pinned),
// and for a reached object that is part of another (an 'i'nternal dependency: a
// view's rewrite rule, a table's row type) or a member of an extension ('e'),
// that owner too — CASCADE drops the owner then, even in another schema.
// Whatever is reached and does not live in the schema is reported: tables that
// inherit, columns of its row types, functions over its types, triggers and
// policies calling its functions, defaults using its sequences, publications of
// its tables, extensions with a member in it, and kinds nobody listed.
#include <fmt/format.h>

#include "load/steps.hpp"

namespace pgshape::load {
namespace {

// $1: the schema. An object's place is pg_identify_object's schema (for a column,
// its table's), which is quoted as an identifier ("help-desk", "Sales"): it is
// compared with quote_ident($1); an object with none (a trigger, policy, rule, default) lives
// where the objects it belongs to live, its 'a'uto dependencies (a trigger's
// table, a default's column). One that belongs to nothing in the schema — a cast,
// an extension, a publication's membership, an event trigger — is database-wide,
// not the schema's, and is reported. Toast tables count as their table's.
// An object reported through its owner (a view's rule, an extension's member) or
// gone with a reported object (a default of a dropped column) is not repeated.
constexpr const char* kClosureSql = R"sql(
WITH RECURSIVE target AS (
  SELECT n.oid FROM pg_catalog.pg_namespace n WHERE n.nspname = $1
), walk(classid, objid, objsubid, via_classid, via_objid, via_objsubid) AS (
  SELECT 'pg_catalog.pg_namespace'::pg_catalog.regclass::oid, t.oid, 0, 0::oid, 0::oid, 0
  FROM target t
  UNION
  SELECT x.* FROM walk w CROSS JOIN LATERAL (
    SELECT d.classid, d.objid, d.objsubid, w.classid, w.objid, w.objsubid
    FROM pg_catalog.pg_depend d
    WHERE d.refclassid = w.classid AND d.refobjid = w.objid
      AND (w.objsubid = 0 OR d.refobjsubid = w.objsubid) AND d.deptype <> 'p'
    UNION ALL
    SELECT d.refclassid, d.refobjid, d.refobjsubid,
           CASE d.deptype WHEN 'e' THEN w.classid ELSE w.via_classid END,
           CASE d.deptype WHEN 'e' THEN w.objid ELSE w.via_objid END,
           CASE d.deptype WHEN 'e' THEN w.objsubid ELSE w.via_objsubid END
    FROM pg_catalog.pg_depend d
    WHERE d.classid = w.classid AND d.objid = w.objid AND d.objsubid = w.objsubid
      AND d.deptype IN ('i', 'e')
  ) x
), reached AS (
  SELECT DISTINCT ON (w.classid, w.objid, w.objsubid) w.*,
         (pg_catalog.pg_identify_object(w.classid, w.objid, w.objsubid)).schema AS place
  FROM walk w
  ORDER BY w.classid, w.objid, w.objsubid,
           w.via_classid <> 0 AND ((w.via_classid = 'pg_catalog.pg_namespace'::pg_catalog.regclass
                                    AND w.via_objid = (SELECT oid FROM target)) OR
             (pg_catalog.pg_identify_object(w.via_classid, w.via_objid, w.via_objsubid)).schema
               IS NOT DISTINCT FROM pg_catalog.quote_ident($1)) DESC,
           w.via_classid, w.via_objid, w.via_objsubid
), judged AS (
  SELECT r.*,
    CASE WHEN r.classid = 'pg_catalog.pg_namespace'::pg_catalog.regclass
              AND r.objid = (SELECT oid FROM target) THEN true
         WHEN r.place IS NOT NULL THEN r.place IN (pg_catalog.quote_ident($1), 'pg_toast')
         ELSE coalesce((
           SELECT bool_and((d.refclassid = 'pg_catalog.pg_namespace'::pg_catalog.regclass
                            AND d.refobjid = (SELECT oid FROM target))
                           OR (pg_catalog.pg_identify_object(d.refclassid, d.refobjid,
                                                             d.refobjsubid)).schema
                              IS NOT DISTINCT FROM pg_catalog.quote_ident($1))
           FROM pg_catalog.pg_depend d
           WHERE d.classid = r.classid AND d.objid = r.objid AND d.objsubid = r.objsubid
             AND d.deptype = 'a'), false)
    END AS inside
  FROM reached r
)
SELECT pg_catalog.pg_describe_object(j.classid, j.objid, j.objsubid),
       coalesce(pg_catalog.pg_describe_object(j.via_classid, j.via_objid, j.via_objsubid), '')
FROM judged j
WHERE NOT j.inside AND NOT EXISTS (
  SELECT 1 FROM pg_catalog.pg_depend d
  JOIN judged o ON o.classid = d.refclassid AND o.objid = d.refobjid
    AND (o.objsubid = 0 OR o.objsubid = d.refobjsubid)
  WHERE d.classid = j.classid AND d.objid = j.objid AND d.objsubid = j.objsubid
    AND (d.deptype IN ('i', 'e') OR (d.deptype = 'a' AND NOT o.inside)))
ORDER BY 1
)sql";

}  // namespace

void catalog_race_retried(pqxx::dbtransaction& tx,
                          const std::function<void(pqxx::transaction_base&)>& body, int attempts) {
  for (int attempt = 1;; ++attempt) {
    try {
      pqxx::subtransaction sub(tx, "pgshape_catalog_race");
      body(sub);
      sub.commit();
      return;
    } catch (const pqxx::sql_error& e) {
      if (e.sqlstate() != "XX000" || attempt >= attempts) throw;
    }
  }
}

std::vector<std::string> outside_dependents(pqxx::dbtransaction& tx, const std::string& schema) {
  std::vector<std::string> out;
  catalog_race_retried(tx, [&](pqxx::transaction_base& sub) {
    out.clear();
    for (const auto& row : sub.exec_params(kClosureSql, schema)) {
      const std::string via = row[1].as<std::string>();
      out.push_back(via.empty() ? row[0].as<std::string>()
                                : fmt::format("{} (depends on {})", row[0].as<std::string>(), via));
    }
  });
  return out;
}

}  // namespace pgshape::load
