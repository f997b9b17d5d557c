// CHECKs of LIKE and regex form, production to mirror: a domain `email_address
// CHECK (VALUE LIKE '%_@_%')` and column checks `code ~ '^[A-Z]{3}-[0-9]{4}$'`
// and `ref ILIKE 'INV-%'` are rebuilt on the mirror and its values generated
// inside them (the load's own CHECKs would refuse a value outside) with
// production's distinct counts, not pg_stats' ~100 sampled values. A regex that
// a pattern cannot be proven inside (lowercase letters) keeps the sampled
// fallback and its note.
#include <gtest/gtest.h>

#include <fmt/format.h>
#include <pqxx/pqxx>

#include <filesystem>
#include <string>

#include "mirror_steps.hpp"
#include "production_db.hpp"
#include "test_server.hpp"

namespace pgshape {
namespace {

using testing::run_pgshape;
using testing::ScratchDatabase;

void build_source(const std::string& dsn) {
  pqxx::connection conn(dsn);
  pqxx::work tx(conn);
  tx.exec0("CREATE DOMAIN email_address AS text CHECK (VALUE LIKE '%_@_%')");
  tx.exec0(R"(
    CREATE TABLE accounts (
      id bigint PRIMARY KEY,
      email email_address NOT NULL,
      code text NOT NULL CHECK (code ~ '^[A-Z]{3}-[0-9]{4}$'),
      ref varchar(20) NOT NULL CHECK (ref ILIKE 'INV-%'),
      slug text NOT NULL CHECK (slug ~ '^[a-z]+$')))");
  // 20,000 rows: emails all distinct, 2,000 codes, 500 refs, 26 slugs.
  tx.exec0(R"(
    INSERT INTO accounts
    SELECT g, 'user' || g || '@example.org',
           chr(65 + g % 20) || 'QX-' || lpad((g % 2000)::text, 4, '0'),
           'INV-' || (g % 500), repeat(chr(97 + g % 26), 3)
    FROM generate_series(1, 20000) g)");
  tx.exec0("CREATE INDEX accounts_lower_email ON accounts (lower(email))");
  tx.commit();
  pqxx::nontransaction(conn).exec0("ANALYZE accounts");
}

double distinct(const std::string& dsn, const std::string& schema, const std::string& column) {
  pqxx::connection conn(dsn);
  pqxx::nontransaction tx(conn);
  return tx
      .exec1(fmt::format("SELECT count(DISTINCT {}) FROM {}.accounts", column,
                         tx.quote_name(schema)))[0]
      .as<double>();
}

double estimate(const std::string& dsn, const std::string& schema, const std::string& where) {
  pqxx::connection conn(dsn);
  pqxx::nontransaction tx(conn);
  const std::string plan = tx.exec1("EXPLAIN (FORMAT JSON) SELECT * FROM " + tx.quote_name(schema) +
                                    ".accounts WHERE " + where)[0]
                               .as<std::string>();
  return std::stod(plan.substr(plan.find("\"Plan Rows\": ") + 13));
}

TEST(PatternChecks, LikeAndRegexChecksAreKeptAndGeneratedWithProductionsDistinctCounts) {
  ScratchDatabase source("pattern_src");
  ScratchDatabase mirror("pattern_mirror");
  build_source(source.dsn());
  const std::string profile = testing::fresh_profile_path("pattern");
  auto imported = run_pgshape({"stats", "--source", source.dsn(), "-o", profile});
  ASSERT_EQ(imported.exit_code, 0) << imported.err;
  const std::string yaml = testing::read_all(profile);
  EXPECT_NE(yaml.find("pattern: \"*********@*\""), std::string::npos) << yaml;
  EXPECT_NE(yaml.find("pattern: \"???"
                      "-####\""),
            std::string::npos)
      << yaml;
  EXPECT_NE(yaml.find("pattern: \"INV-********\""), std::string::npos) << yaml;
  // The lowercase regex: production's sampled values, named as such.
  EXPECT_NE(imported.err.find("check accounts.accounts_slug_check"), std::string::npos)
      << imported.err;
  auto loaded = run_pgshape({"load", profile, "--scale", "production", "--schema", "mirror",
                             "--jobs", "1", "--dsn", mirror.dsn()});
  ASSERT_EQ(loaded.exit_code, 0) << loaded.err << loaded.out;
  {
    pqxx::connection conn(mirror.dsn());
    pqxx::nontransaction tx(conn);
    // The three checks are on the mirror (so every loaded row passed them).
    EXPECT_EQ(tx.exec1("SELECT count(*) FROM pg_constraint c JOIN pg_namespace n ON n.oid = "
                       "c.connamespace WHERE n.nspname = 'mirror' AND c.contype = 'c' AND "
                       "pg_get_constraintdef(c.oid) ~ '~'")[0]
                  .as<int>(),
              3);
  }
  std::string report = "\ncolumn          source  mirror\n";
  for (const char* column : {"email", "lower(email)", "code", "ref"}) {
    const double p = distinct(source.dsn(), "public", column);
    const double m = distinct(mirror.dsn(), "mirror", column);
    report += fmt::format("{:<14} {:>7.0f} {:>7.0f}\n", column, p, m);
    // ANALYZE's n_distinct is an estimate from a 30,000-row sample (all rows here).
    EXPECT_NEAR(m, p, 0.1 * p) << column;
  }
  const double p = estimate(source.dsn(), "public", "lower(email) = 'user42@example.org'");
  const double m = estimate(mirror.dsn(), "mirror", "lower(email) = 'user42@example.org'");
  report +=
      fmt::format("lower(email) = '...' estimated rows: source {:.0f}, mirror {:.0f}\n", p, m);
  EXPECT_LE(m, 2 * p + 1);
  std::printf("%s", report.c_str());
  std::filesystem::remove_all(std::filesystem::path(profile).parent_path());
}

}  // namespace
}  // namespace pgshape
