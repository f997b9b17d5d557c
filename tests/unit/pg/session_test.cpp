// session_conninfo: what libpq reads back from the conninfo pgshape connects with.
// That the server then applies the pinned settings whatever the shell sets is
// tests/integration/stats/hostile_env_test.cpp.
#include <gtest/gtest.h>

#include <libpq-fe.h>
#include <stdlib.h>

#include <map>
#include <string>

#include "pgshape/session.hpp"

namespace pgshape {
namespace {

// The keywords libpq parses from `conninfo`, with their values.
std::map<std::string, std::string> parsed(const std::string& conninfo) {
  char* error = nullptr;
  PQconninfoOption* options = PQconninfoParse(conninfo.c_str(), &error);
  EXPECT_NE(options, nullptr) << (error ? error : "") << " in " << conninfo;
  std::map<std::string, std::string> out;
  for (const PQconninfoOption* o = options; o && o->keyword; ++o)
    if (o->val) out[o->keyword] = o->val;
  PQconninfoFree(options);
  PQfreemem(error);
  return out;
}

// Sets PGOPTIONS for one test and restores what the test process had.
class ScopedPgOptions {
 public:
  explicit ScopedPgOptions(const char* value) {
    if (const char* old = getenv("PGOPTIONS")) old_ = old;
    value ? setenv("PGOPTIONS", value, 1) : unsetenv("PGOPTIONS");
  }
  ~ScopedPgOptions() {
    old_.empty() ? unsetenv("PGOPTIONS") : setenv("PGOPTIONS", old_.c_str(), 1);
  }

 private:
  std::string old_;
};

TEST(SessionConninfo, KeepsTheTargetAndItsPasswordAndPinsEncoding) {
  ScopedPgOptions none(nullptr);
  const auto kv = parsed(session_conninfo(
      "postgresql://ann:s%27ec\\ret@db1:6543/uxdb?sslmode=require", SessionKind::kTarget));
  EXPECT_EQ(kv.at("host"), "db1");
  EXPECT_EQ(kv.at("port"), "6543");
  EXPECT_EQ(kv.at("dbname"), "uxdb");
  EXPECT_EQ(kv.at("user"), "ann");
  EXPECT_EQ(kv.at("password"), "s'ec\\ret");
  EXPECT_EQ(kv.at("sslmode"), "require");
  EXPECT_EQ(kv.at("client_encoding"), "UTF8");
}

TEST(SessionConninfo, PinnedSwitchesComeAfterPgOptions) {
  ScopedPgOptions shell("-c statement_timeout=50ms -c search_path=nowhere");
  const std::string options = parsed(session_conninfo("", SessionKind::kTarget)).at("options");
  EXPECT_EQ(options.rfind("-c statement_timeout=50ms -c search_path=nowhere -c ", 0), 0u)
      << options;
  EXPECT_NE(options.find("-c statement_timeout=0"), std::string::npos) << options;
  EXPECT_NE(options.find("-c default_transaction_isolation=read\\ committed"), std::string::npos)
      << options;
  EXPECT_NE(options.find("-c DateStyle=ISO,\\ YMD"), std::string::npos) << options;
  EXPECT_NE(options.find("-c default_transaction_read_only=off"), std::string::npos) << options;
  EXPECT_NE(options.find("-c lock_timeout=0"), std::string::npos) << options;
}

TEST(SessionConninfo, TheDsnsOwnOptionsReplacePgOptionsAsInLibpq) {
  ScopedPgOptions shell("-c work_mem=1MB");
  const std::string options =
      parsed(session_conninfo("host=/tmp options='-c work_mem=64MB'", SessionKind::kSource))
          .at("options");
  EXPECT_EQ(options.rfind("-c work_mem=64MB -c ", 0), 0u) << options;
  EXPECT_EQ(options.find("1MB"), std::string::npos) << options;
}

TEST(SessionConninfo, ASourceIsReadOnlyAndKeepsTheUsersLockTimeout) {
  ScopedPgOptions none(nullptr);
  const std::string options = parsed(session_conninfo("", SessionKind::kSource)).at("options");
  EXPECT_NE(options.find("-c default_transaction_read_only=on"), std::string::npos) << options;
  EXPECT_EQ(options.find("lock_timeout"), std::string::npos) << options;
}

TEST(SessionConninfo, AServiceKeepsItsOwnOptionsAndIsPinnedOnceConnected) {
  ScopedPgOptions shell("-c work_mem=1MB");
  const auto kv = parsed(session_conninfo("service=prod", SessionKind::kSource));
  EXPECT_EQ(kv.count("options"), 0u);
  EXPECT_EQ(kv.at("service"), "prod");
  EXPECT_EQ(kv.at("client_encoding"), "UTF8");
  const std::string sql =
      post_connect_sql(150000, SessionKind::kSource, uses_service("service=prod"));
  EXPECT_EQ(sql.rfind("SELECT pg_catalog.set_config('statement_timeout', '0', false), ", 0), 0u)
      << sql;
  EXPECT_NE(sql.find("set_config('default_transaction_read_only', 'on', false)"), std::string::npos)
      << sql;
  // The DSN's own options hide the service's: pinned by options as for any DSN.
  EXPECT_FALSE(uses_service("service=prod options='-c work_mem=2MB'"));
}

TEST(PostConnectSql, NothingToRunOnAnOlderServerInACleanShell) {
  EXPECT_EQ(post_connect_sql(150000, SessionKind::kTarget, false), "");
  EXPECT_EQ(post_connect_sql(170000, SessionKind::kTarget, false),
            "SELECT pg_catalog.set_config('transaction_timeout', '0', false)");
}

TEST(SessionConninfo, AnUnparsableDsnIsLeftForLibpqToRefuse) {
  EXPECT_EQ(session_conninfo("host='unterminated", SessionKind::kTarget), "host='unterminated");
}

}  // namespace
}  // namespace pgshape
