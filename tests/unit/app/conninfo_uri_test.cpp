// `load --keep` prints the kept server as a URI for DATABASE_URL users: it must
// name exactly what the key=value conninfo names, as libpq reads both.
#include <gtest/gtest.h>
#include <libpq-fe.h>

#include <map>

#include "app/internal.hpp"

namespace pgshape {
namespace {

std::map<std::string, std::string> parsed(const std::string& conninfo) {
  char* error = nullptr;
  PQconninfoOption* options = PQconninfoParse(conninfo.c_str(), &error);
  EXPECT_NE(options, nullptr) << conninfo << ": " << (error ? error : "");
  PQfreemem(error);
  std::map<std::string, std::string> out;
  for (PQconninfoOption* o = options; o && o->keyword; ++o)
    if (o->val && *o->val) out[o->keyword] = o->val;
  PQconninfoFree(options);
  return out;
}

TEST(ConninfoToUri, ASocketDirectoryTravelsAsTheHostParameter) {
  const std::string conninfo = "host=/tmp/pgshape-x1 port=5432 dbname=postgres user=pgshape";
  const std::string uri = app::conninfo_to_uri(conninfo);
  EXPECT_EQ(uri, "postgresql://pgshape@/postgres?host=%2Ftmp%2Fpgshape-x1&port=5432");
  EXPECT_EQ(parsed(uri), parsed(conninfo));
}

TEST(ConninfoToUri, TcpHostsPasswordsAndOtherKeysSurviveTheRoundTrip) {
  for (const std::string conninfo :
       {"host=127.0.0.1 port=6543 dbname=shop user=u password='p@ss w:rd/'",
        "host=::1 dbname=x user=y sslmode=disable application_name='a b'",
        "host='/dir with space' dbname=d connect_timeout=3"}) {
    SCOPED_TRACE(conninfo);
    const std::string uri = app::conninfo_to_uri(conninfo);
    EXPECT_EQ(uri.rfind("postgresql://", 0), 0u) << uri;
    EXPECT_EQ(parsed(uri), parsed(conninfo)) << uri;
  }
}

}  // namespace
}  // namespace pgshape
