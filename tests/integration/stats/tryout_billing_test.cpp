// A third production schema nobody tuned pgshape for
// (tests/fixtures/tryout/billing.sql: a subscription-billing ledger with an
// account hierarchy, invoices RANGE-partitioned by quarter with a DEFAULT,
// payments LIST-partitioned with a DEFAULT, a HASH-partitioned ledger, invoice
// lines keyed (invoice_id, line_no), composite foreign keys to a partitioned
// table, domains over char(3) and numeric, uuid, partial unique keys, GIN, BRIN,
// INCLUDE and DESC NULLS LAST indexes), mirrored by `pgshape stats` +
// `pgshape load --jobs 2` as a new user runs them, in a shell whose PG*
// variables point elsewhere. Then, as for the help desk:
//   - no password is printed or written to the profile;
//   - every object of the source is on the mirror by definition, or named in
//     kKnownGaps with why;
//   - no unique key has a duplicate and no foreign key an orphan;
//   - the workload (tests/fixtures/tryout/billing_workload.sql) plans to the same
//     shapes, estimates within 2x, except the cases named in kKnownGaps.
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

constexpr const char* kSchema = "billing";
constexpr const char* kPassword = "tryout-Billing-7c1";
const std::string kFixtures = std::string(PGSHAPE_SOURCE_DIR) + "/tests/fixtures/tryout";

struct Gap {
  const char* key;  // "index T.NAME", "orphans T.FK", "billing_workload.sql:LINE [hot]", ...
  const char* why;
};

constexpr const char* kCompositeUnique =
    "UNIQUE (number, issued_on) on the partitioned invoices: number is all distinct in "
    "production but has no key of its own, so stats draws it from its histogram and cannot "
    "prove the pair unique; built as a non-unique index (named in a note), so the leaves' "
    "indexes are *_idx, not *_key";
constexpr const char* kPartialUnique =
    "a partial unique index (email) WHERE closed_at IS NULL: email is drawn from its histogram "
    "(no duplicates seen, none guaranteed; a column unique: true would add a whole-table key "
    "production does not have), so the index is built non-unique (named in a note)";
constexpr const char* kPartialUniqueKey =
    "one live subscription per account, a partial unique index on a foreign key column: "
    "account_id is drawn with production's fan-out, which the predicate does not restrict; "
    "built non-unique (named in a note)";
constexpr const char* kHotAccountLeaf =
    "the same plan on another HASH leaf: the 200 hot accounts hold nearly equal shares, so each "
    "side's first (or last) MCV of ledger_entries.account_id is a different account, hashing to "
    "a different leaf";
constexpr const char* kRareAccountPick =
    "each side's rare pick is its own middle histogram bound of invoices.account_id, a "
    "different hot account on each (in one run 193 on production, 198 on the mirror: the "
    "bounds lie one apart in ANALYZE's 30,000-row sample), and invoices are planned per RANGE "
    "leaf, where an account that is an MCV of some leaves is estimated at its rows there and "
    "one that is none at the leaf's average: production estimates its pick at 39-81 rows "
    "across runs, the mirror its own at 10, while for the same account both agree (193: 81 "
    "and 83, 198: 11 and 10). So the rare estimate is 4-8x off and, in some runs, a rare "
    "account's invoices sort instead of merging (line 42) or its payments are joined by index "
    "instead of hashed (line 53). The hot accounts' rows themselves follow production's "
    "(0.66-1.6x a non-MCV account; it was up to 2.1x when a histogram bucket's rows fell on "
    "its lower bound)";
constexpr const char* kLeafScanTie =
    "a one-day range of posted_at over the four HASH leaves of ledger_entries: each leaf "
    "chooses a bitmap or a sequential scan of about one row by its own costs, a near tie that "
    "turns on the leaf's physical order (production's leaves keep the append order; per-leaf "
    "distributions of non-key columns are not reproduced), so a leaf's choice flips between runs";
constexpr const char* kAggregateTie =
    "49 against 59 child accounts of the hot parent: GroupAggregate and HashAggregate cost "
    "nearly the same around 50 groups";

// What pgshape does not reproduce on this schema yet, each with why. A key
// ending in '*' names every key it begins.
const std::vector<Gap> kKnownGaps = {
    {"constraint invoices*.invoices*_number_issued_on_key", kCompositeUnique},
    {"index invoices*.invoices*_number_issued_on_key", kCompositeUnique},
    {"index accounts.accounts_email_open_key", kPartialUnique},
    {"index subscriptions.subscriptions_live_key", kPartialUniqueKey},
    {"duplicates subscriptions.subscriptions_live_key", kPartialUniqueKey},
    {"billing_workload.sql:17 *", kHotAccountLeaf},
    {"billing_workload.sql:15 [rare]", kRareAccountPick},
    {"billing_workload.sql:42 [rare]", kRareAccountPick},
    {"billing_workload.sql:53 [rare]", kRareAccountPick},
    {"billing_workload.sql:41", kLeafScanTie},
    {"billing_workload.sql:48 [hot]", kAggregateTie},
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
  const std::string sql = testing::read_all(kFixtures + "/billing.sql");
  ASSERT_FALSE(sql.empty()) << "cannot read " << kFixtures << "/billing.sql";
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

TEST(TryoutBilling, MirrorOfALedgerSchemaKeepsObjectsKeysAndPlans) {
  const auto started = std::chrono::steady_clock::now();
  ScratchDatabase production("tryout_billing_prod");
  ScratchDatabase mirror("tryout_billing_mirror");
  ASSERT_NO_FATAL_FAILURE(build_source(production.dsn()));
  const double built =
      std::chrono::duration<double>(std::chrono::steady_clock::now() - started).count();

  const auto dir = std::filesystem::temp_directory_path() / testing::unique_name("tryout_billing");
  std::filesystem::create_directories(dir);
  const std::string profile = (dir / "billing.yaml").string();
  auto imported = run_pgshape(
      {"stats", "--source", production.dsn(), "--source-schema", kSchema, "-o", profile},
      kHostileEnvironment);
  auto validated = run_pgshape({"validate", profile}, kHostileEnvironment);
  auto loaded =
      run_pgshape({"load", profile, "--jobs", "2", "--dsn", mirror.dsn()}, kHostileEnvironment);
  auto fidelity =
      run_pgshape({"fidelity", "--source", production.dsn(), "--source-schema", kSchema, "--dsn",
                   mirror.dsn(), "--queries", kFixtures + "/billing_workload.sql", "--json"},
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
  // A uniqueness the mirror cannot keep is named, never silently dropped.
  for (const char* index :
       {"accounts.accounts_email_open_key", "subscriptions.subscriptions_live_key"})
    EXPECT_NE(imported.err.find(std::string("uniqueness of index ") + index), std::string::npos)
        << index << " lost its uniqueness without a note";

  std::set<std::string> failed;
  auto judge = [&](const std::string& key, bool ok, const std::string& detail) {
    if (ok) return;
    failed.insert(key);
    if (const Gap* g = known_gap(key))
      std::printf("  %-50s known gap (%s)\n%s", key.c_str(), g->why,
                  key.rfind("billing_workload", 0) == 0 ? (detail + "\n").c_str() : "");
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
    name = name.substr(name.rfind('/') + 1);  // "billing_workload.sql:15 [hot]"
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
