// The staging schema and the guards around replacing a target schema:
// one load per target at a time (advisory lock), never replacing a schema
// pgshape did not create, never dropping objects other schemas depend on.
#include <fmt/format.h>

#include "load/sql.hpp"
#include "load/steps.hpp"
#include "pgshape/error.hpp"

namespace pgshape::load {
namespace {

constexpr std::string_view kOwnerMark = "pgshape:";

// What pqxx's quote() does, without its "'" + std::string temporaries that
// GCC 12 -O2 misreads as an overlapping memcpy (-Wrestrict).
std::string string_literal(pqxx::transaction_base& tx, const std::string& text) {
  return fmt::format("'{}'", tx.esc(text));
}

// The comment on a schema, or nullopt when the schema does not exist.
std::optional<std::string> schema_comment(pqxx::transaction_base& tx, const std::string& schema) {
  auto rows = tx.exec_params(
      "SELECT coalesce(pg_catalog.obj_description(n.oid, 'pg_namespace'), '') "
      "FROM pg_catalog.pg_namespace n WHERE n.nspname = $1",
      schema);
  if (rows.empty()) return std::nullopt;
  return rows[0][0].as<std::string>();
}

bool owned(const std::string& comment) {
  return comment.rfind(kOwnerMark, 0) == 0;
}

// Objects outside `schema` that would vanish with it: views over its tables and
// foreign keys into them. Dropping those is never pgshape's call.
std::vector<std::string> outside_dependents(pqxx::transaction_base& tx, const std::string& schema) {
  auto rows = tx.exec_params(
      "SELECT DISTINCT v.relnamespace::regnamespace::text || '.' || v.relname "
      "FROM pg_catalog.pg_depend d "
      "JOIN pg_catalog.pg_rewrite r ON d.classid = 'pg_catalog.pg_rewrite'::regclass "
      "  AND d.objid = r.oid "
      "JOIN pg_catalog.pg_class v ON v.oid = r.ev_class "
      "JOIN pg_catalog.pg_class t ON d.refclassid = 'pg_catalog.pg_class'::regclass "
      "  AND d.refobjid = t.oid "
      "JOIN pg_catalog.pg_namespace tn ON tn.oid = t.relnamespace AND tn.nspname = $1 "
      "WHERE v.relnamespace <> t.relnamespace "
      "UNION "
      "SELECT DISTINCT con.conrelid::regclass::text || ' (' || con.conname || ')' "
      "FROM pg_catalog.pg_constraint con "
      "JOIN pg_catalog.pg_class t ON t.oid = con.confrelid "
      "JOIN pg_catalog.pg_namespace tn ON tn.oid = t.relnamespace AND tn.nspname = $1 "
      "JOIN pg_catalog.pg_class c ON c.oid = con.conrelid "
      "WHERE con.contype = 'f' AND c.relnamespace <> t.relnamespace",
      schema);
  std::vector<std::string> out;
  for (const auto& row : rows) out.push_back(row[0].as<std::string>());
  return out;
}

void drop_schema(pqxx::transaction_base& tx, const std::string& schema) {
  if (auto dependents = outside_dependents(tx, schema); !dependents.empty())
    throw UsageError(
        "load.dependents",
        fmt::format("schema '{}' cannot be replaced: {} outside it depend on its tables", schema,
                    fmt::join(dependents, ", ")),
        "pgshape never drops objects it did not create; drop or move them first");
  tx.exec0("DROP SCHEMA " + quote_ident(schema) + " CASCADE");
}

}  // namespace

void check_schema_name(const std::string& schema) {
  // The profile module's rule, for --schema too: room for "_previous" / "_staging"
  // within PostgreSQL's 63-byte names, and never a system schema.
  if (const std::string problem = target_schema_problem(schema); !problem.empty())
    throw UsageError("load.bad-schema", problem,
                     "pass another --schema: 1 to 54 bytes, not pg_* or information_schema");
}

Staging::Staging(pqxx::connection& control, std::string target, const LoadOptions& options)
    : control_(control),
      target_(std::move(target)),
      staging_(target_ + "_staging"),
      previous_(target_ + "_previous") {
  {
    pqxx::nontransaction tx(control_);
    const std::string key = std::string(kOwnerMark) + target_;
    bool locked =
        tx.exec_params1("SELECT pg_catalog.pg_try_advisory_lock(pg_catalog.hashtext($1))", key)[0]
            .as<bool>();
    if (!locked && options.wait) {
      tx.exec_params("SELECT pg_catalog.pg_advisory_lock(pg_catalog.hashtext($1))", key);
      locked = true;
    }
    if (!locked)
      throw DatabaseError(
          "load.locked",
          fmt::format("another pgshape load or refresh into schema '{}' is running", target_),
          "wait for it to finish, or pass --wait to queue behind it");
  }
  pqxx::work tx(control_);
  for (const std::string* schema : {&target_, &previous_, &staging_}) {
    auto comment = schema_comment(tx, *schema);
    if (comment && !owned(*comment) && !options.force)
      throw UsageError(
          "load.not-owned",
          fmt::format("schema '{}' exists and was not created by pgshape; refusing to replace it",
                      *schema),
          "choose another --schema, or pass --force to replace it");
  }
  // A staging schema left by a killed load is debris of ours: clear it.
  if (schema_comment(tx, staging_)) drop_schema(tx, staging_);
  tx.exec0("CREATE SCHEMA " + quote_ident(staging_));
  tx.exec0(fmt::format("COMMENT ON SCHEMA {} IS {}", quote_ident(staging_),
                       string_literal(tx, fmt::format("{} staging", kOwnerMark))));
  tx.commit();
}

Staging::~Staging() {
  try {
    pqxx::nontransaction tx(control_);
    tx.exec_params("SELECT pg_catalog.pg_advisory_unlock(pg_catalog.hashtext($1))",
                   std::string(kOwnerMark) + target_);
  } catch (...) {
    // The lock is session-level: it ends with the connection anyway.
  }
}

void Staging::swap_in(const std::string& note, bool keep_previous) {
  pqxx::work tx(control_);
  const bool target_exists = schema_comment(tx, target_).has_value();
  if (keep_previous) {
    if (schema_comment(tx, previous_)) drop_schema(tx, previous_);
    if (target_exists)
      tx.exec0(fmt::format("ALTER SCHEMA {} RENAME TO {}", quote_ident(target_),
                           quote_ident(previous_)));
  } else if (target_exists) {
    drop_schema(tx, target_);
  }
  tx.exec0(
      fmt::format("ALTER SCHEMA {} RENAME TO {}", quote_ident(staging_), quote_ident(target_)));
  tx.exec0(fmt::format("COMMENT ON SCHEMA {} IS {}", quote_ident(target_),
                       string_literal(tx, fmt::format("{} {}", kOwnerMark, note))));
  tx.commit();
  swapped_ = true;
}

void Staging::discard() noexcept {
  if (swapped_) return;
  try {
    pqxx::work tx(control_);
    if (schema_comment(tx, staging_)) drop_schema(tx, staging_);
    tx.commit();
  } catch (...) {
    // The connection may be gone (that may be why we are here). The next load
    // recognises the staging schema as ours and clears it.
  }
}

}  // namespace pgshape::load
