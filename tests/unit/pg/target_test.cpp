// The order that decides where data goes (pg.hpp's user_target), without a server:
// --dsn given at all, DATABASE_URL, a PG* variable that names a server or database,
// else none (the embedded server). And how a connection's place is written.
#include <gtest/gtest.h>

#include <cstdlib>
#include <optional>
#include <string>
#include <vector>

#include "pgshape/pg.hpp"

namespace pgshape {
namespace {

// Sets (or with nullptr unsets) a variable for one scope.
class ScopedEnv {
 public:
  ScopedEnv(std::string name, const char* value) : name_(std::move(name)) {
    if (const char* old = std::getenv(name_.c_str())) old_ = old;
    if (value != nullptr)
      ::setenv(name_.c_str(), value, 1);
    else
      ::unsetenv(name_.c_str());
  }
  ~ScopedEnv() {
    if (old_)
      ::setenv(name_.c_str(), old_->c_str(), 1);
    else
      ::unsetenv(name_.c_str());
  }

 private:
  std::string name_;
  std::optional<std::string> old_;
};

TEST(UserTarget, NothingNamedMeansNoUserTarget) {
  EXPECT_FALSE(user_target(std::nullopt));
}

TEST(UserTarget, EachVariableThatNamesAServerOrDatabaseMeansLibpqDefaults) {
  for (std::string_view name : kLibpqTargetVariables) {
    SCOPED_TRACE(std::string(name));
    ScopedEnv set(std::string(name), "x");
    const auto t = user_target(std::nullopt);
    ASSERT_TRUE(t);
    EXPECT_EQ(t->dsn, "");
    EXPECT_EQ(t->source, TargetSource::kLibpqEnvironment);
  }
}

TEST(UserTarget, HowToConnectVariablesAloneDoNotChooseATarget) {
  for (const char* name : {"PGPASSWORD", "PGPASSFILE", "PGSSLMODE", "PGOPTIONS",
                           "PGCONNECT_TIMEOUT", "PGAPPNAME", "PGSERVICEFILE", "PGDATA"}) {
    SCOPED_TRACE(name);
    ScopedEnv set(name, "x");
    EXPECT_FALSE(user_target(std::nullopt));
  }
  ScopedEnv empty_host("PGHOST", "");  // libpq reads an empty variable as unset
  EXPECT_FALSE(user_target(std::nullopt));
}

TEST(UserTarget, DatabaseUrlWinsOverPgVariables) {
  ScopedEnv host("PGHOST", "elsewhere");
  ScopedEnv url("DATABASE_URL", "postgresql://db1/uxdb");
  const auto t = user_target(std::nullopt);
  ASSERT_TRUE(t);
  EXPECT_EQ(t->dsn, "postgresql://db1/uxdb");
  EXPECT_EQ(t->source, TargetSource::kDatabaseUrl);
}

TEST(UserTarget, DsnGivenAtAllWinsAndAnEmptyOneIsLibpqsDefaults) {
  ScopedEnv url("DATABASE_URL", "postgresql://db1/uxdb");
  ScopedEnv host("PGHOST", "elsewhere");
  const auto empty = user_target(std::string());
  ASSERT_TRUE(empty);
  EXPECT_EQ(empty->dsn, "");
  EXPECT_EQ(empty->source, TargetSource::kDsnOption);
  const auto given = user_target(std::string("host=db2 dbname=x"));
  ASSERT_TRUE(given);
  EXPECT_EQ(given->dsn, "host=db2 dbname=x");
}

TEST(DescribeDsn, AnEmptyConninfoNamesTheVariablesItReads) {
  ScopedEnv host("PGHOST", "db1");
  ScopedEnv database("PGDATABASE", "uxdb");
  ScopedEnv password("PGPASSWORD", "s3cret-pw");
  EXPECT_EQ(describe_dsn(""), "libpq's defaults (PGHOST=db1, PGDATABASE=uxdb)");
  EXPECT_EQ(describe_dsn("host=db1 password=s3cret-pw"), "host=db1 password=********");
}

TEST(ConnectionPlace, IsHostPortSlashDatabase) {
  EXPECT_EQ((ConnectionPlace{"127.0.0.1", "5432", "uxdb", "u"}.to_string()), "127.0.0.1:5432/uxdb");
  EXPECT_EQ((ConnectionPlace{"::1", "6543", "uxdb", "u"}.to_string()), "[::1]:6543/uxdb");
  // A Unix socket as its directory, the way psql's \conninfo names it.
  EXPECT_EQ((ConnectionPlace{"/var/run/postgresql", "5432", "uxdb", "u"}.to_string()),
            "/var/run/postgresql:5432/uxdb");
}

}  // namespace
}  // namespace pgshape
