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

#include <string>
#include <vector>

#include "mirror_judge.hpp"
#include "production_db.hpp"

namespace pgshape {
namespace {

using testing::KnownGap;
using testing::ScratchDatabase;

const std::string kFixtures = std::string(PGSHAPE_SOURCE_DIR) + "/tests/fixtures/tryout";
const testing::Tryout kTryout = {.schema = "billing",
                                 .source_sql = kFixtures + "/billing.sql",
                                 .password = "tryout-Billing-7c1",
                                 .prefix = "tryout_billing",
                                 .profile_name = "billing.yaml",
                                 .workload = kFixtures + "/billing_workload.sql"};

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
const std::vector<KnownGap> kKnownGaps = {
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

TEST(TryoutBilling, MirrorOfALedgerSchemaKeepsObjectsKeysAndPlans) {
  testing::TryoutRun run;  // the test is timed from here
  ScratchDatabase production("tryout_billing_prod");
  ScratchDatabase mirror("tryout_billing_mirror");
  ASSERT_NO_FATAL_FAILURE(testing::run_tryout(kTryout, production.dsn(), mirror.dsn(), run));
  // A uniqueness the mirror cannot keep is named, never silently dropped.
  for (const char* index :
       {"accounts.accounts_email_open_key", "subscriptions.subscriptions_live_key"})
    EXPECT_NE(run.imported.err.find(std::string("uniqueness of index ") + index), std::string::npos)
        << index << " lost its uniqueness without a note";

  testing::judge_tryout(run, kKnownGaps, {.estimates = 2.0, .min_cases = 50});
}

}  // namespace
}  // namespace pgshape
