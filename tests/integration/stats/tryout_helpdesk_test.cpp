// A second production schema, one nobody tuned pgshape for
// (tests/fixtures/tryout/helpdesk.sql: a multi-tenant help desk under the schema
// "help-desk", with composite keys and composite foreign keys, LIST partitions
// with a default and HASH sub-partitions, a HASH-partitioned table without a
// primary key, quoted reserved-word names, a 44-column table, a type pgshape
// cannot generate), mirrored by `pgshape stats` + `pgshape load --jobs 2` as a new
// user runs them, in a shell whose PG* variables point elsewhere. Then:
//   - the command line wins over the environment, and no password is printed or
//     written to the profile;
//   - every object of the source is on the mirror by definition, or named in
//     kKnownGaps with why;
//   - no unique key has a duplicate and no foreign key of the source an orphan on
//     the mirror's rows;
//   - the workload (tests/fixtures/tryout/workload.sql) plans to the same shapes,
//     estimates within 2x, except the cases named in kKnownGaps.
#include <gtest/gtest.h>

#include <fmt/format.h>
#include <algorithm>
#include <chrono>
#include <filesystem>
#include <map>
#include <set>

#include <nlohmann/json.hpp>

#include "catalog_objects.hpp"
#include "production_db.hpp"

namespace pgshape {
namespace {

using testing::run_pgshape;
using testing::ScratchDatabase;

constexpr const char* kSchema = "help-desk";
constexpr const char* kPassword = "tryout-Secret-9f3";
const std::string kFixtures = std::string(PGSHAPE_SOURCE_DIR) + "/tests/fixtures/tryout";

struct Gap {
  const char* key;  // "index T.NAME", "orphans T.FK", "workload.sql:LINE [hot]", ...
  const char* why;
};

constexpr const char* kTwoColumnCheck =
    "a CHECK across two columns that is no column order (status vs closed_at NULL-ness): "
    "pgshape draws each column on its own, so stats leaves it out and names it "
    "(closed_at >= created_at is kept: closed_at is drawn at its created_at's quantile)";
constexpr const char* kRareTenantLeaf =
    "the same plan on another HASH leaf: fidelity takes each side's hot (first MCV) or rare "
    "tenant_id from that side's own statistics, as its planner sees them; the top tenants' "
    "shares are close, so the two sides' picks are sometimes different tenants, which hash to "
    "different chat or event leaves (seen for :18, :21 and :22, [hot] and [rare], in some runs)";
constexpr const char* kDenseIndex =
    "every page is all-visible on both sides now (HASH leaves are routed and frozen too), and "
    "the mirror's primary key, built after the data, is denser than production's, grown by "
    "inserts: its Index Only Scan costs less than the Seq Scan production takes (cause not "
    "verified beyond the plans)";
constexpr const char* kNearTie =
    "one leaf's bitmap and sequential scans cost nearly the same on both sides, and ANALYZE "
    "samples leaves over 30,000 rows at random: the choice flips between runs (seen both ways "
    "in this fixture's runs)";
constexpr const char* kSharedTenantKey =
    "a second multi-column key sharing tenant_id with the one that generates it (nullable "
    "assignee_id): only one multi-column key per column is generated; left out and named";
constexpr const char* kEventsKey =
    "a three-column key to a partitioned table whose primary key (tenant_id, id, channel) is "
    "neither a fanout pair nor paired: left out and named, ticket ids drawn on their own";
constexpr const char* kSelfKey =
    "a self-referencing multi-column key (tenant_id, manager_id): left out and named";

// What pgshape does not reproduce on this schema yet, each with why. A key
// ending in '*' names every key it begins (a CHECK is on every leaf too).
const std::vector<Gap> kKnownGaps = {
    {"constraint tickets.tickets_closed_when_done", kTwoColumnCheck},
    {"constraint tickets_*.tickets_closed_when_done", kTwoColumnCheck},
    {"constraint tickets.tickets_tenant_id_assignee_id_fkey", kSharedTenantKey},
    {"orphans tickets.tickets_tenant_id_assignee_id_fkey", kSharedTenantKey},
    {"constraint ticket_events.ticket_events_tenant_id_ticket_id_channel_fkey", kEventsKey},
    {"orphans ticket_events.ticket_events_tenant_id_ticket_id_channel_fkey", kEventsKey},
    {"constraint user.user_tenant_id_manager_id_fkey", kSelfKey},
    {"orphans user.user_tenant_id_manager_id_fkey", kSelfKey},
    {"workload.sql:59", kSelfKey},
    {"workload.sql:18 [rare]", kNearTie},
    {"workload.sql:21 [rare]", kNearTie},
    {"workload.sql:37", kNearTie},
    {"workload.sql:18 [hot]", kRareTenantLeaf},
    {"workload.sql:21 [hot]", kRareTenantLeaf},
    {"workload.sql:22 *", kRareTenantLeaf},
    {"workload.sql:31", kDenseIndex},
    {"workload.sql:41",
     "tickets.tenant_id is drawn through its multi-column key (a user row picked uniformly), "
     "so each tenant's share of tickets follows its share of users, not production's ticket "
     "shares: the two HASH chat leaves split differently (5,640 / 1,369 rows against 4,000 / "
     "3,015) and the seq-scanned leaf swaps"},
    {"workload.sql:7",
     "a point lookup on (tenant_id, id), id numbered per tenant: production estimates 11 rows "
     "from the two columns' own statistics, the mirror 1 (its id statistics differ; not "
     "investigated)"},
    {"index user.user_email_live_key",
     "a partial unique index on (tenant_id, lower(email)) over a domain pgshape does not "
     "generate: email is drawn from pg_stats' 101 values, so the index is built non-unique "
     "(named in a note)"},
};

// `key` against `pattern`, where '*' stands for any run of characters.
bool matches(const char* key, const char* pattern) {
  if (*pattern == '\0') return *key == '\0';
  if (*pattern == '*') return matches(key, pattern + 1) || (*key && matches(key + 1, pattern));
  return *key == *pattern && matches(key + 1, pattern + 1);
}

const Gap* known_gap(const std::string& key) {
  for (const auto& g : kKnownGaps)
    if (matches(key.c_str(), g.key)) return &g;
  return nullptr;
}

// Production is vacuumed: all-visible pages, as on a mirror loaded with COPY FREEZE.
void build_source(const std::string& dsn) {
  const std::string sql = testing::read_all(kFixtures + "/helpdesk.sql");
  ASSERT_FALSE(sql.empty()) << "cannot read " << kFixtures << "/helpdesk.sql";
  pqxx::connection conn(dsn);
  {
    pqxx::work tx(conn);
    tx.exec(sql);
    tx.commit();
  }
  pqxx::nontransaction tx(conn);
  const auto deadline = std::chrono::steady_clock::now() + std::chrono::seconds(10);
  for (;;) {
    tx.exec0("VACUUM ANALYZE");
    const auto behind =
        tx.exec_params1(
              "SELECT count(*) FROM pg_catalog.pg_class c JOIN pg_catalog.pg_namespace n "
              "ON n.oid = c.relnamespace WHERE n.nspname = $1 AND c.relkind = 'r' "
              "AND c.relallvisible < c.relpages",
              kSchema)[0]
            .as<int>();
    if (behind == 0 || std::chrono::steady_clock::now() > deadline) break;
  }
}

struct ForeignKey {
  std::string table, name, definition, check;  // check: counts the orphans of the key
};

// Every foreign key of the source (on the partitioned table, not its leaves'
// clones), with a query counting the mirror's rows whose key has no parent
// (MATCH SIMPLE: a row with a NULL key column has none to miss).
std::vector<ForeignKey> foreign_keys(const std::string& dsn) {
  pqxx::connection conn(dsn);
  pqxx::read_transaction tx(conn);
  std::vector<ForeignKey> out;
  for (const auto& row : tx.exec_params(
           "SELECT c.relname, k.conname, pg_get_constraintdef(k.oid), p.relname, "
           "  (SELECT string_agg(format('c.%I IS NOT NULL', a.attname), ' AND ') "
           "   FROM unnest(k.conkey) u(n) JOIN pg_attribute a ON a.attrelid = k.conrelid "
           "   AND a.attnum = u.n), "
           "  (SELECT string_agg(format('p.%I = c.%I', pa.attname, ca.attname), ' AND ') "
           "   FROM unnest(k.conkey, k.confkey) u(n, m) "
           "   JOIN pg_attribute ca ON ca.attrelid = k.conrelid AND ca.attnum = u.n "
           "   JOIN pg_attribute pa ON pa.attrelid = k.confrelid AND pa.attnum = u.m) "
           "FROM pg_constraint k JOIN pg_class c ON c.oid = k.conrelid "
           "JOIN pg_class p ON p.oid = k.confrelid JOIN pg_namespace n ON n.oid = c.relnamespace "
           "WHERE n.nspname = $1 AND k.contype = 'f' AND k.conparentid = 0 ORDER BY 1, 2",
           kSchema)) {
    const std::string schema = tx.quote_name(kSchema);
    out.push_back(ForeignKey{
        row[0].as<std::string>(), row[1].as<std::string>(), row[2].as<std::string>(),
        fmt::format("SELECT count(*) FROM {}.{} c WHERE {} AND NOT EXISTS (SELECT FROM {}.{} p "
                    "WHERE {})",
                    schema, tx.quote_name(row[0].as<std::string>()), row[4].as<std::string>(),
                    schema, tx.quote_name(row[3].as<std::string>()), row[5].as<std::string>())});
  }
  return out;
}

long count_rows(const std::string& dsn, const std::string& sql) {
  pqxx::connection conn(dsn);
  pqxx::read_transaction tx(conn);
  return tx.exec1(sql)[0].as<long>();
}

// The libpq variables of a user's shell, pointing at nothing: the command line
// must win over every one of them.
const std::map<std::string, std::string> kHostileEnvironment = {
    {"PGHOST", "/nonexistent/tryout"},
    {"PGPORT", "1"},
    {"PGUSER", "tryout_nobody"},
    {"PGDATABASE", "tryout_nowhere"},
    {"PGPASSWORD", kPassword},
    {"PGOPTIONS", "-c search_path=nowhere -c DateStyle=SQL,DMY -c TimeZone=Asia/Kathmandu"}};

TEST(TryoutHelpdesk, MirrorOfAnUnseenSchemaKeepsObjectsKeysAndPlans) {
  const auto started = std::chrono::steady_clock::now();
  ScratchDatabase production("tryout_prod");
  ScratchDatabase mirror("tryout_mirror");
  ASSERT_NO_FATAL_FAILURE(build_source(production.dsn()));
  const double built =
      std::chrono::duration<double>(std::chrono::steady_clock::now() - started).count();

  const auto dir = std::filesystem::temp_directory_path() / testing::unique_name("tryout");
  std::filesystem::create_directories(dir);
  const std::string profile = (dir / "helpdesk.yaml").string();
  auto imported = run_pgshape(
      {"stats", "--source", production.dsn(), "--source-schema", kSchema, "-o", profile},
      kHostileEnvironment);
  auto validated = run_pgshape({"validate", profile}, kHostileEnvironment);
  auto loaded =
      run_pgshape({"load", profile, "--jobs", "2", "--dsn", mirror.dsn()}, kHostileEnvironment);
  auto fidelity =
      run_pgshape({"fidelity", "--source", production.dsn(), "--source-schema", kSchema, "--dsn",
                   mirror.dsn(), "--queries", kFixtures + "/workload.sql", "--json"},
                  kHostileEnvironment);
  ASSERT_EQ(imported.exit_code, 0) << imported.err;
  ASSERT_EQ(validated.exit_code, 0) << validated.err << validated.out;
  ASSERT_EQ(loaded.exit_code, 0) << loaded.err << "\n" << loaded.out;
  ASSERT_EQ(fidelity.exit_code, 0) << fidelity.err << fidelity.out;
  const std::string written = testing::read_all(profile);
  for (const std::string* text : std::vector<const std::string*>{
           &imported.out, &imported.err, &validated.out, &validated.err, &loaded.out, &loaded.err,
           &fidelity.out, &fidelity.err, &written})
    EXPECT_EQ(text->find(kPassword), std::string::npos) << "the password is printed:\n" << *text;
  std::printf("stats notes:\n%s\n", imported.err.c_str());

  std::set<std::string> failed;
  auto judge = [&](const std::string& key, bool ok, const std::string& detail) {
    if (ok) return;
    failed.insert(key);
    if (const Gap* g = known_gap(key))
      std::printf("  %-50s known gap (%s)\n%s", key.c_str(), g->why,
                  key.rfind("workload", 0) == 0 ? (detail + "\n").c_str() : "");
    else
      ADD_FAILURE() << key << ": " << detail;
  };

  // 1. Every object on the mirror by definition.
  const auto source = testing::catalog_objects(production.dsn(), kSchema);
  const auto copy = testing::catalog_objects(mirror.dsn(), kSchema);
  int same = 0;
  for (const auto& [key, definition] : source) {
    auto it = copy.find(key);
    const bool equal = it != copy.end() && it->second == definition;
    same += equal;
    judge(key, equal,
          "not on the mirror by definition\n  source: " + definition +
              "\n  mirror: " + (it == copy.end() ? "(missing)" : it->second));
  }
  for (const auto& [key, definition] : copy)
    if (!source.count(key)) std::printf("  %-50s only on the mirror\n", key.c_str());
  std::printf("catalog: %d of %zu objects identical\n", same, source.size());

  // 2. No duplicate on a unique key of the source, no orphan of a foreign key.
  long duplicates = 0, orphans = 0;
  for (const auto& key : testing::unique_keys(production.dsn(), kSchema)) {
    const long n = testing::duplicate_keys(mirror.dsn(), kSchema, key);
    duplicates += n;
    judge("duplicates " + key.table + "." + key.index, n == 0, std::to_string(n) + " duplicates");
  }
  for (const auto& fk : foreign_keys(production.dsn())) {
    const long n = count_rows(mirror.dsn(), fk.check);
    orphans += n;
    judge("orphans " + fk.table + "." + fk.name, n == 0,
          fmt::format("{} rows without a parent ({})", n, fk.definition));
  }
  std::printf("duplicate keys on the mirror: %ld, orphans: %ld\n", duplicates, orphans);

  // 3. The workload's plans and estimates, as `pgshape fidelity` compares them.
  const auto j = nlohmann::json::parse(fidelity.out);
  int shapes_equal = 0, within = 0, cases = 0;
  std::printf("\n%-30s %10s %10s %7s  %s\n", "query", "source", "mirror", "ratio", "shape");
  for (const auto& q : j.at("queries")) {
    ++cases;
    std::string name = q.at("name").get<std::string>();
    name = name.substr(name.rfind('/') + 1);  // "workload.sql:12 [hot]"
    const double s = q.at("source_rows").get<double>(), m = q.at("mirror_rows").get<double>();
    const double ratio = std::max(s, 1.0) / std::max(m, 1.0);
    const double off = std::max(ratio, 1 / ratio);
    const bool shape = q.at("same_shape").get<bool>() && q.at("error").get<std::string>().empty();
    shapes_equal += shape;
    within += off <= 2;
    std::printf("%-30s %10.0f %10.0f %7.2f  %s\n", name.c_str(), s, m, ratio,
                shape ? "same" : "DIFF");
    judge(
        name, shape && off <= 2,
        fmt::format("{}\n  source: {} ({} rows)\n  mirror: {} ({} rows) {}",
                    q.at("sql").get<std::string>(), q.at("source_shape").get<std::string>(), s,
                    q.at("mirror_shape").get<std::string>(), m, q.at("error").get<std::string>()));
  }
  const double seconds =
      std::chrono::duration<double>(std::chrono::steady_clock::now() - started).count();
  std::printf(
      "\nobjects identical %d/%zu, duplicate keys %ld, orphans %ld, plan shapes equal %d/%d, "
      "estimates within 2x %d/%d; source built in %.0f s, all in %.0f s\n",
      same, source.size(), duplicates, orphans, shapes_equal, cases, within, cases, built, seconds);
  EXPECT_GE(cases, 50) << "the workload's hot and rare variants were not all explained";
  for (const auto& g : kKnownGaps)
    if (std::none_of(failed.begin(), failed.end(),
                     [&](const std::string& key) { return matches(key.c_str(), g.key); }))
      std::printf("known gap passes now, remove it: %s\n", g.key);
  std::filesystem::remove_all(dir);
}

}  // namespace
}  // namespace pgshape
