// The staging schema and the guards around replacing a target schema:
// one load per target at a time (advisory lock), never replacing a schema
// pgshape did not create, never dropping objects other schemas depend on.
#include <fmt/format.h>

#include <algorithm>
#include <optional>

#include "load/adopt.hpp"
#include "load/sql.hpp"
#include "load/steps.hpp"
#include "pgshape/error.hpp"

namespace pgshape::load {
namespace {

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

// Shown in full up to this many; a schema's worth of dependents is summed up.
constexpr size_t kListedDependents = 25;

std::string listing(const std::vector<std::string>& items) {
  std::string out;
  for (size_t i = 0; i < items.size() && i < kListedDependents; ++i) out += "\n  " + items[i];
  if (items.size() > kListedDependents)
    out += fmt::format("\n  ... and {} more", items.size() - kListedDependents);
  return out;
}

// Refuses (UsageError load.dependents, nothing changed) when dropping any of
// `schemas` would drop or alter an object outside it; names every such object.
void refuse_outside_dependents(pqxx::dbtransaction& tx,
                               const std::vector<const std::string*>& schemas,
                               bool adopted = false) {
  std::vector<std::string> found;
  std::vector<std::string> names;
  for (const std::string* schema : schemas) {
    auto dependents = outside_dependents(tx, *schema);
    if (dependents.empty()) continue;
    names.push_back("'" + *schema + "'");
    found.insert(found.end(), dependents.begin(), dependents.end());
  }
  if (found.empty()) return;
  throw UsageError(
      "load.dependents",
      fmt::format("{} {} cannot be replaced: {} would drop or alter {} object{} outside it:{}",
                  adopted ? "pgshape's objects in schema" : "schema", fmt::join(names, ", "),
                  adopted ? "dropping them" : "DROP SCHEMA ... CASCADE", found.size(),
                  found.size() == 1 ? "" : "s", listing(found)),
      "pgshape never drops objects in other schemas that depend on the ones it replaces: "
      "drop or change them first (nothing was changed)");
}

void drop_schema(pqxx::dbtransaction& tx, const std::string& schema) {
  refuse_outside_dependents(tx, {&schema});
  tx.exec0(drop_schema_cascade(schema));
}

// Whether `schema`, which pgshape did not create, can be adopted; throws
// load.not-owned naming what is in it when not (and not `force`).
bool adoptable(pqxx::dbtransaction& tx, const std::string& schema, bool force) {
  const ForeignObjects foreign = foreign_objects(tx, schema, kListedDependents);
  if (foreign.listed.empty()) {
    // Checked now, not when the swap's ALTER ... SET SCHEMA fails after the whole
    // load: PostgreSQL 15 grants no CREATE on public to roles that do not own it.
    const auto may = tx.exec_params1(
        "SELECT pg_catalog.has_schema_privilege(n.oid, 'CREATE'), current_user::text "
        "FROM pg_catalog.pg_namespace n WHERE n.nspname = $1",
        schema);
    if (may[0].as<bool>()) return true;
    throw UsageError(
        "load.not-owned",
        fmt::format("schema '{}' was not created by pgshape and role {} may not create objects in "
                    "it, so pgshape cannot fill it",
                    schema, may[1].as<std::string>()),
        fmt::format("GRANT CREATE ON SCHEMA {} TO {} (as its owner), or choose another --schema; "
                    "nothing was changed",
                    quote_ident(schema), quote_ident(may[1].as<std::string>())));
  }
  if (force) return false;
  std::string listed = listing(foreign.listed);
  if (foreign.total > static_cast<int64_t>(foreign.listed.size()))
    listed += fmt::format("\n  ... and {} more", foreign.total - foreign.listed.size());
  throw UsageError(
      "load.not-owned",
      fmt::format("schema '{}' exists and was not created by pgshape; refusing to load into it "
                  "while it holds {} object{} pgshape did not create:{}",
                  schema, foreign.total, foreign.total == 1 ? "" : "s", listed),
      "choose another --schema, move those objects out of it, or pass --force to replace the "
      "whole schema (which drops them); nothing was changed");
}

}  // namespace

void check_schema_name(const std::string& schema) {
  // The profile module's rule, for --schema too: room for "_previous" / "_staging"
  // within PostgreSQL's 63-byte names, and never a system schema.
  if (const std::string problem = target_schema_problem(schema); !problem.empty())
    throw UsageError("load.bad-schema", problem,
                     "pass another --schema: 1 to 54 bytes, not pg_* or information_schema");
}

Staging::Staging(pqxx::connection& control, std::string dsn, std::string target,
                 const LoadOptions& options)
    : control_(control),
      dsn_(std::move(dsn)),
      target_(std::move(target)),
      staging_(staging_schema_name(target_)),
      previous_(previous_schema_name(target_)),
      lock_timeout_ms_(options.wait ? 0 : std::max(0, options.lock_timeout_ms)),
      keep_previous_(options.keep_previous) {
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
    // Every statement on this connection from now on (DDL, swap) waits at most this
    // long for another session's lock; the tasks' connections get the same.
    tx.exec_params("SELECT pg_catalog.set_config('lock_timeout', $1, false)",
                   std::to_string(lock_timeout_ms_));
  }
  waiting_for_locks("preparing the staging schema", [&] {
    pqxx::work tx(control_);
    // An existing target pgshape did not create is filled in place while it holds
    // nothing but pgshape's objects (an empty `public`, or what we moved in before).
    const auto target_comment = schema_comment(tx, target_);
    adopt_ = target_comment && !owned(*target_comment) && adoptable(tx, target_, options.force);
    for (const std::string* schema : {&target_, &previous_, &staging_}) {
      auto comment = schema_comment(tx, *schema);
      if (comment && !owned(*comment) && !options.force && !(adopt_ && schema == &target_))
        throw UsageError(
            "load.not-owned",
            fmt::format("schema '{}' exists and was not created by pgshape; refusing to replace it",
                        *schema),
            "choose another --schema, or pass --force to replace it");
    }
    // Everything the load will drop is checked now, before anything is written;
    // the swap checks again in its own transaction.
    if (adopt_ && !keep_previous_) refuse_outside_dependents(tx, {&target_}, true);
    std::vector<const std::string*> dropped = {&staging_, keep_previous_ ? &previous_ : &target_};
    if (adopt_ && !keep_previous_) dropped.pop_back();
    refuse_outside_dependents(tx, dropped);
    // A staging schema left by a killed load is debris of ours: clear it.
    if (schema_comment(tx, staging_)) drop_schema(tx, staging_);
    tx.exec0(create_schema(staging_));
    tx.exec0(comment_on_schema(staging_, string_literal(tx, owner_comment("staging"))));
    tx.commit();
  });
}

void Staging::waiting_for_locks(const char* doing, const std::function<void()>& body) {
  std::optional<BlockerWatch> watch;
  if (lock_timeout_ms_ > 0) watch.emplace(dsn_, control_.backendpid());
  try {
    body();
  } catch (const pqxx::sql_error& e) {
    if (e.sqlstate() != "55P03") throw;
    std::string blockers = watch ? watch->blockers() : std::string();
    for (size_t at = 0; (at = blockers.find('\n', at)) != std::string::npos; at += 3)
      blockers.replace(at, 1, "\n  ");
    throw DatabaseError(
        "db.lock-timeout",
        redact_dsn(fmt::format(
            "schema '{}': {} waited {:.1f} s for a lock held by another session:\n  {}\nschema "
            "'{}' is as it was",
            target_, doing, lock_timeout_ms_ / 1000.0,
            blockers.empty() ? "(the session was gone before pgshape could name it)" : blockers,
            target_)),
        "end that session's transaction (pg_terminate_backend(pid) if it is stuck), or rerun "
        "with --wait to queue behind it",
        e.sqlstate());
  }
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

void Staging::swap_in(const std::string& note) {
  waiting_for_locks("the swap", [&] {
    pqxx::work tx(control_);
    // A target dropped meanwhile is simply created again, as pgshape's.
    if (adopt_ && schema_comment(tx, target_)) return swap_into_adopted(tx, note);
    const bool target_exists = schema_comment(tx, target_).has_value();
    if (keep_previous_) {
      if (schema_comment(tx, previous_)) drop_schema(tx, previous_);
      if (target_exists) tx.exec0(rename_schema(target_, previous_));
    } else if (target_exists) {
      drop_schema(tx, target_);
    }
    tx.exec0(rename_schema(staging_, target_));
    tx.exec0(comment_on_schema(target_, string_literal(tx, owner_comment(note))));
    tx.commit();
  });
  swapped_ = true;
}

void Staging::swap_into_adopted(pqxx::dbtransaction& tx, const std::string& note) {
  // A user may have put an object into the target while the load ran.
  adoptable(tx, target_, false);
  if (keep_previous_) {
    if (schema_comment(tx, previous_)) drop_schema(tx, previous_);
    tx.exec0(create_schema(previous_));
    tx.exec0(comment_on_schema(
        previous_, string_literal(tx, owner_comment(fmt::format(
                                          "the previous dataset of schema '{}'", target_)))));
    move_objects(tx, target_, previous_, "");
  } else {
    refuse_outside_dependents(tx, {&target_}, true);
    drop_objects(tx, target_);
  }
  move_objects(tx, staging_, target_, note);
  drop_schema(tx, staging_);
  tx.commit();
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
