#include <gtest/gtest.h>

#include <string>

#include "pgshape/pg.hpp"

namespace pgshape {
namespace {

struct Case {
  std::string input;
  std::string expected;
};

class RedactDsn : public ::testing::TestWithParam<Case> {};

TEST_P(RedactDsn, HidesPasswordsAndKeepsTheRest) {
  EXPECT_EQ(redact_dsn(GetParam().input), GetParam().expected);
}

INSTANTIATE_TEST_SUITE_P(
    Uri, RedactDsn,
    ::testing::Values(
        Case{"postgresql://user:secret@host/db", "postgresql://user:********@host/db"},
        Case{"postgres://user:secret@host:5432/db", "postgres://user:********@host:5432/db"},
        Case{"POSTGRESQL://u:p@h/d", "POSTGRESQL://u:********@h/d"},
        Case{"postgresql://:secret@host", "postgresql://:********@host"},
        Case{"postgresql://user:s:e;c?r#et@host/db", "postgresql://user:********@host/db"},
        Case{"postgresql://user@host/db", "postgresql://user@host/db"},
        Case{"postgresql://host:5432/db", "postgresql://host:5432/db"},
        Case{"postgresql://host/db?user=a@b", "postgresql://host/db?user=a@b"},
        Case{"postgresql://host/db?password=secret&sslmode=require",
             "postgresql://host/db?password=********&sslmode=require"},
        Case{"postgresql://u:p@host/db?sslmode=require&password=x#frag",
             "postgresql://u:********@host/db?sslmode=require&password=********#frag"},
        Case{"postgresql://u@host/db?sslpassword=x",
             "postgresql://u@host/db?sslpassword=********"}));

INSTANTIATE_TEST_SUITE_P(
    KeyValue, RedactDsn,
    ::testing::Values(
        Case{"host=h password=secret dbname=d", "host=h password=******** dbname=d"},
        Case{"password=secret", "password=********"},
        Case{"host=h password='se cret' dbname=d", "host=h password=******** dbname=d"},
        Case{"host=h password = 'it\\'s' dbname=d", "host=h password = ******** dbname=d"},
        Case{"password=a\\ b user=u", "password=******** user=u"},
        Case{"host=h password='unterminated dbname=d", "host=h password=********"},
        Case{"PASSWORD=x", "PASSWORD=********"},
        Case{"sslpassword=x host=h", "sslpassword=******** host=h"},
        // libpq skips blanks after '=', so "user=u" is the password here.
        Case{"host=h password= user=u", "host=h password= ********"},
        Case{"host=h password=", "host=h password="},
        Case{"host=h passwordless=yes", "host=h passwordless=yes"},
        Case{"host=h dbname=password", "host=h dbname=password"},
        Case{"host=/tmp/pgshape-x port=5432 dbname=postgres user=pgshape",
             "host=/tmp/pgshape-x port=5432 dbname=postgres user=pgshape"},
        Case{"", ""}));

INSTANTIATE_TEST_SUITE_P(
    InsideMessages, RedactDsn,
    ::testing::Values(
        Case{"connection to postgresql://app:hunter2@db.internal:5432/shop failed: timeout",
             "connection to postgresql://app:********@db.internal:5432/shop failed: timeout"},
        Case{"invalid dsn \"host=h password=hunter2 port=x\": bad port",
             "invalid dsn \"host=h password=******** port=x\": bad port"},
        Case{"a postgres://a:1@h and postgresql://b:2@h",
             "a postgres://a:********@h and "
             "postgresql://b:********@h"},
        Case{"mypostgresql://u:p@h", "mypostgresql://u:p@h"},
        Case{"line one\npassword=x\nline three", "line one\npassword=********\nline three"}));

TEST(RedactDsnText, NeverContainsThePassword) {
  const std::string secret = "Tr0ub4dor&3";
  for (const std::string& dsn :
       {"postgresql://me:" + secret + "@h/d", "host=h password=" + secret,
        "host=h password='" + secret + "'", "postgresql://h/d?password=" + secret}) {
    std::string redacted = redact_dsn(dsn);
    EXPECT_EQ(redacted.find("Tr0ub4dor"), std::string::npos) << redacted;
  }
}

}  // namespace
}  // namespace pgshape
