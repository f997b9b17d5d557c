// pgshape in a shell whose PG* variables set every session setting that changes
// what SQL means or how values print (PGOPTIONS with timeouts, read-only and
// serializable defaults, an unusable search_path, other date, interval, float and
// bytea styles; PGCLIENTENCODING, PGTZ, PGDATESTYLE): stats of a small schema, a
// load of that profile and a fidelity plan comparison give exactly what they give
// in a clean environment, and explain captures the same plans (session.hpp pins
// pgshape's sessions).
#include <gtest/gtest.h>

#include <fmt/format.h>
#include <filesystem>
#include <fstream>
#include <map>
#include <sstream>

#include <libpq-fe.h>

#include <nlohmann/json.hpp>

#include "production_db.hpp"

namespace pgshape {
namespace {

using testing::CommandResult;
using testing::run_pgshape;
using testing::ScratchDatabase;
namespace fs = std::filesystem;

// Each setting is one a user might leave in a shell; together they break every
// step when pgshape does not pin its sessions. lc_messages=C needs a superuser,
// which the test server's user is.
const std::map<std::string, std::string> kHostile = {
    {"PGOPTIONS",
     "-c statement_timeout=1ms -c lock_timeout=1ms -c idle_in_transaction_session_timeout=1ms "
     "-c default_transaction_read_only=on -c default_transaction_isolation=serializable "
     "-c search_path=nowhere -c DateStyle=SQL,DMY -c TimeZone=Asia/Kathmandu "
     "-c IntervalStyle=sql_standard -c extra_float_digits=-15 -c bytea_output=escape "
     "-c quote_all_identifiers=on -c standard_conforming_strings=off "
     "-c lc_messages=C"},
    {"PGCLIENTENCODING", "LATIN1"},
    {"PGTZ", "America/St_Johns"},
    {"PGDATESTYLE", "German, DMY"},
};

// Non-ASCII text (also outside LATIN1), dates whose day could be a month, a
// timestamptz, an interval, floats that need all their digits, and bytea.
void build_source(const std::string& dsn) {
  pqxx::connection conn(dsn);
  pqxx::work tx(conn);
  tx.exec0(R"(
    CREATE SCHEMA shop;
    CREATE TABLE shop.customers (
      id bigint PRIMARY KEY,
      city text NOT NULL,
      born date NOT NULL,
      joined timestamptz NOT NULL,
      tenure interval NOT NULL,
      score float8 NOT NULL,
      avatar bytea NOT NULL);
    INSERT INTO shop.customers
    SELECT g, (ARRAY['Zürich', 'Kraków', '東京', 'Oslo', 'Lima'])[1 + g % 5],
           date '1970-01-01' + (g % 12) * 31 + (g % 9),
           timestamptz '2024-03-04 05:06:07+00' + g * interval '1 hour 7 minutes',
           (g % 40) * interval '1 day 3 hours',
           (g % 13) / 7.0::float8,
           decode(lpad(to_hex(g % 37), 4, '0'), 'hex')
    FROM generate_series(1, 3000) g;
    CREATE TABLE shop.orders (
      id bigint PRIMARY KEY,
      customer_id bigint NOT NULL REFERENCES shop.customers,
      placed_on date NOT NULL,
      total numeric(10, 2) NOT NULL);
    INSERT INTO shop.orders
    SELECT g, 1 + (g * 7919) % 3000, date '2024-01-01' + g % 90, (g % 500) / 4.0
    FROM generate_series(1, 9000) g;
    CREATE INDEX orders_customer_idx ON shop.orders (customer_id);
    CREATE INDEX customers_born_idx ON shop.customers (born);
    ANALYZE shop.customers;
    ANALYZE shop.orders)");
  tx.commit();
}

// Every row of each table of `schema`, as text in a session of the test's own:
// equal digests mean equal data.
std::map<std::string, std::string> table_digests(const std::string& dsn,
                                                 const std::string& schema) {
  pqxx::connection conn(dsn);
  pqxx::read_transaction tx(conn);
  std::map<std::string, std::string> out;
  for (const auto& t : {"customers", "orders"})
    out[t] =
        tx.exec1(fmt::format("SELECT count(*) || ' ' || md5(coalesce(string_agg(t::text, "
                             "E'\\n' ORDER BY t::text), '')) FROM {}.{} t",
                             tx.quote_name(schema), tx.quote_name(t)))[0]
            .as<std::string>();
  return out;
}

// The profile without its header comment, which says when the statistics were read.
std::string without_taken_at(const std::string& yaml) {
  std::istringstream in(yaml);
  std::string out;
  for (std::string line; std::getline(in, line);)
    if (line.rfind('#', 0) != 0) out += line + "\n";
  return out;
}

struct StepResults {
  std::string profile;                         // what stats wrote, header comment dropped
  nlohmann::json snapshot;                     // its statistics file, taken_at dropped
  std::map<std::string, std::string> digests;  // table -> rows and digest of the load
  nlohmann::json fidelity;
};

// stats of the source into NAME/mirror.yaml (a profile is named after its file),
// load of `profile` (the clean run's: the same input either way) into schema
// "mirror", fidelity of that mirror against the source.
void run_steps(const std::map<std::string, std::string>& env, const ScratchDatabase& source,
               const ScratchDatabase& mirror, const fs::path& dir, const std::string& name,
               const std::string& profile, StepResults& out) {
  fs::create_directories(dir / name);
  const std::string written = (dir / name / "mirror.yaml").string();
  const CommandResult stats = run_pgshape(
      {"stats", "--source", source.dsn(), "--source-schema", "shop", "-o", written, "-q"}, env);
  ASSERT_EQ(stats.exit_code, 0) << name << ": " << stats.err;
  out.profile = without_taken_at(testing::read_all(written));
  out.snapshot = nlohmann::json::parse(testing::read_all(dir / name / "mirror.stats.json"));
  out.snapshot.erase("taken_at");
  const std::string input = profile.empty() ? written : profile;
  const CommandResult load = run_pgshape(
      {"load", input, "--schema", "mirror", "--jobs", "2", "--dsn", mirror.dsn(), "-q"}, env);
  ASSERT_EQ(load.exit_code, 0) << name << ": " << load.err;
  out.digests = table_digests(mirror.dsn(), "mirror");
  const std::string queries = (dir / "queries.sql").string();
  std::ofstream(queries) << "SELECT * FROM customers WHERE born = '1970-02-03';\n"
                            "SELECT * FROM customers WHERE city = 'Kraków';\n"
                            "SELECT count(*) FROM orders o JOIN customers c ON c.id = "
                            "o.customer_id WHERE c.city = '東京';\n"
                            "SELECT * FROM orders WHERE customer_id = $1;\n";
  const CommandResult fidelity =
      run_pgshape({"fidelity", "--source", source.dsn(), "--source-schema", "shop", "--dsn",
                   mirror.dsn(), "--schema", "mirror", "--queries", queries, "--json"},
                  env);
  ASSERT_EQ(fidelity.exit_code, 0) << name << ": " << fidelity.err << fidelity.out;
  out.fidelity = nlohmann::json::parse(fidelity.out);
}

TEST(HostileEnvironment, StatsLoadAndFidelityEqualACleanEnvironment) {
  ScratchDatabase source("env_src");
  ScratchDatabase mirror("env_mirror");
  build_source(source.dsn());
  const fs::path dir = fs::temp_directory_path() / testing::unique_name("env");
  fs::create_directories(dir);

  StepResults clean, hostile;
  ASSERT_NO_FATAL_FAILURE(run_steps({}, source, mirror, dir, "clean", "", clean));
  ASSERT_NO_FATAL_FAILURE(run_steps(kHostile, source, mirror, dir, "hostile",
                                    (dir / "clean" / "mirror.yaml").string(), hostile));

  // The profile holds the source's values (its text, dates, intervals, floats):
  // read under other settings they would print otherwise.
  EXPECT_NE(clean.profile.find("Kraków"), std::string::npos) << clean.profile;
  EXPECT_EQ(hostile.profile, clean.profile);
  EXPECT_EQ(hostile.snapshot, clean.snapshot);
  EXPECT_EQ(hostile.digests, clean.digests);
  EXPECT_EQ(clean.digests["customers"].rfind("3000 ", 0), 0u) << clean.digests["customers"];
  ASSERT_EQ(clean.fidelity["queries"].size(), 6u) << clean.fidelity.dump(1);
  EXPECT_EQ(hostile.fidelity, clean.fidelity) << hostile.fidelity.dump(1);

  // The hostile settings do reach the server: a session that does not pin them sees them.
  {
    pqxx::connection conn(source.dsn() + " options='" + kHostile.at("PGOPTIONS") + "'");
    pqxx::nontransaction tx(conn);
    EXPECT_EQ(tx.exec1("SHOW default_transaction_read_only")[0].as<std::string>(), "on");
  }
  fs::remove_all(dir);
}

// A source keeps the user's lock_timeout: it protects production from a reader
// queued behind (and so in front of) another session's lock. The wait it ends is
// exit 1 (db.lock-timeout) with a hint saying where the setting comes from, and no
// profile is written.
TEST(HostileEnvironment, ASourcesLockTimeoutEndsStatsWithItsOwnCode) {
  ScratchDatabase source("env_lock");
  build_source(source.dsn());
  const fs::path dir = fs::temp_directory_path() / testing::unique_name("env_lock");
  fs::create_directories(dir);
  pqxx::connection holder(source.dsn());
  pqxx::work lock(holder);
  lock.exec0("LOCK TABLE shop.customers IN ACCESS EXCLUSIVE MODE");

  const std::string profile = (dir / "mirror.yaml").string();
  const CommandResult r =
      run_pgshape({"stats", "--source", source.dsn(), "--source-schema", "shop", "-o", profile},
                  {{"PGOPTIONS", "-c lock_timeout=200ms"}});
  EXPECT_EQ(r.exit_code, 1) << r.err;
  EXPECT_NE(r.err.find("canceling statement due to lock timeout"), std::string::npos) << r.err;
  EXPECT_NE(r.err.find("HINT: the lock_timeout of pgshape's session (from PGOPTIONS"),
            std::string::npos)
      << r.err;
  EXPECT_FALSE(fs::exists(profile));
  lock.abort();
  fs::remove_all(dir);
}

// explain's loads and captures in the hostile shell: the same plans, on the same
// parameter values (picked from the loaded rows, printed as text), as in a clean one.
TEST(HostileEnvironment, ExplainCapturesTheSamePlansAsACleanEnvironment) {
  ScratchDatabase target("env_explain");
  const fs::path dir = fs::temp_directory_path() / testing::unique_name("env_explain");
  for (const auto& [name, env] :
       {std::pair{std::string("clean"), std::map<std::string, std::string>{}},
        std::pair{std::string("hostile"), kHostile}}) {
    const CommandResult r =
        run_pgshape({"explain", "profiles/shop.yaml", "--scales", "test", "--runs", "1", "--dsn",
                     target.dsn(), "--schema", "shop", "-o", (dir / name).string(), "-q"},
                    env);
    ASSERT_EQ(r.exit_code, 0) << name << ": " << r.err;
  }
  const CommandResult compared =
      run_pgshape({"compare", (dir / "clean").string(), (dir / "hostile").string(), "--json",
                   "--fail-on", "shape-change,index-change"});
  ASSERT_EQ(compared.exit_code, 0) << compared.err << compared.out;
  const auto j = nlohmann::json::parse(compared.out);
  EXPECT_TRUE(j["unmatched_a"].empty() && j["unmatched_b"].empty()) << compared.out;
  ASSERT_FALSE(j["pairs"].empty()) << compared.out;
  for (const auto& pair : j["pairs"]) {
    EXPECT_EQ(pair["b"]["shape"], pair["a"]["shape"]) << pair.dump(1);
    EXPECT_EQ(pair["b"]["params"], pair["a"]["params"]) << pair.dump(1);
    EXPECT_EQ(pair["b"]["indexes"], pair["a"]["indexes"]) << pair.dump(1);
  }
  fs::remove_all(dir);
}

// A service file's options reach pgshape's sessions (libpq reads them only while
// the conninfo has none, so pgshape pins its settings by SQL once connected): its
// default_statistics_target shapes the mirror's ANALYZE, while its statement_timeout
// and DateStyle change nothing stats reads.
TEST(HostileEnvironment, AServicesOwnOptionsStayAndArePinnedOver) {
  ScratchDatabase source("env_svc_src");
  ScratchDatabase mirror("env_svc_mirror");
  build_source(source.dsn());
  const fs::path dir = fs::temp_directory_path() / testing::unique_name("env_svc");
  fs::create_directories(dir / "clean");
  fs::create_directories(dir / "service");

  // The test server's host, port, user and password, as service keywords.
  std::string keywords;
  {
    char* error = nullptr;
    PQconninfoOption* parsed = PQconninfoParse(testing::test_dsn().c_str(), &error);
    ASSERT_NE(parsed, nullptr) << (error ? error : "");
    for (const PQconninfoOption* o = parsed; o->keyword; ++o)
      if (o->val && std::string_view(o->keyword) != "dbname")
        keywords += fmt::format("{}={}\n", o->keyword, o->val);
    PQconninfoFree(parsed);
  }
  const std::string options =
      "options=-c statement_timeout=1ms -c DateStyle=SQL,DMY -c default_statistics_target=10\n";
  std::ofstream(dir / "pg_service.conf") << "[env_source]\n"
                                         << keywords << "dbname=" << source.name() << "\n"
                                         << options << "[env_mirror]\n"
                                         << keywords << "dbname=" << mirror.name() << "\n"
                                         << options;
  const std::map<std::string, std::string> env = {
      {"PGSERVICEFILE", (dir / "pg_service.conf").string()}};

  const CommandResult clean = run_pgshape({"stats", "--source", source.dsn(), "--source-schema",
                                           "shop", "-o", (dir / "clean/mirror.yaml").string()});
  ASSERT_EQ(clean.exit_code, 0) << clean.err;
  const std::string profile = (dir / "service/mirror.yaml").string();
  const CommandResult stats = run_pgshape(
      {"stats", "--source", "service=env_source", "--source-schema", "shop", "-o", profile}, env);
  ASSERT_EQ(stats.exit_code, 0) << stats.err;
  EXPECT_EQ(without_taken_at(testing::read_all(profile)),
            without_taken_at(testing::read_all(dir / "clean/mirror.yaml")));

  const CommandResult load = run_pgshape(
      {"load", profile, "--schema", "mirror", "--dsn", "service=env_mirror", "-q"}, env);
  ASSERT_EQ(load.exit_code, 0) << load.err;
  pqxx::connection conn(mirror.dsn());
  pqxx::nontransaction tx(conn);
  // 3,000 distinct ids: a histogram of 101 bounds at the default target of 100.
  EXPECT_EQ(
      tx.exec1("SELECT array_length(histogram_bounds::text::text[], 1) FROM pg_stats "
               "WHERE schemaname = 'mirror' AND tablename = 'customers' AND attname = 'id'")[0]
          .as<int>(),
      11);
  fs::remove_all(dir);
}

}  // namespace
}  // namespace pgshape
