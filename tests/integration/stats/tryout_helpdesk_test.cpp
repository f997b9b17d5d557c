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

#include <string>
#include <vector>

#include "mirror_judge.hpp"
#include "production_db.hpp"

namespace pgshape {
namespace {

using testing::KnownGap;
using testing::ScratchDatabase;

const std::string kFixtures = std::string(PGSHAPE_SOURCE_DIR) + "/tests/fixtures/tryout";
const testing::Tryout kTryout = {.schema = "help-desk",
                                 .source_sql = kFixtures + "/helpdesk.sql",
                                 .password = "tryout-Secret-9f3",
                                 .prefix = "tryout",
                                 .profile_name = "helpdesk.yaml",
                                 .workload = kFixtures + "/workload.sql"};

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
const std::vector<KnownGap> kKnownGaps = {
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

TEST(TryoutHelpdesk, MirrorOfAnUnseenSchemaKeepsObjectsKeysAndPlans) {
  testing::TryoutRun run;  // the test is timed from here
  ScratchDatabase production("tryout_prod");
  ScratchDatabase mirror("tryout_mirror");
  ASSERT_NO_FATAL_FAILURE(testing::run_tryout(kTryout, production.dsn(), mirror.dsn(), run));

  testing::judge_tryout(run, kKnownGaps, {.estimates = 2.0, .min_cases = 50});
}

}  // namespace
}  // namespace pgshape
