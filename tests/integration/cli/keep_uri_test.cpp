// `pgshape load --keep -q` prints the kept embedded server as a postgresql://
// URI on stdout — what DATABASE_URL users expect, and what libpq (psql, pqxx)
// takes as well — and on stderr both as a key=value conninfo and as that URI.
#include <gtest/gtest.h>

#include <filesystem>
#include <fstream>
#include <pqxx/pqxx>
#include <regex>

#include "test_server.hpp"

namespace pgshape {
namespace {

namespace fs = std::filesystem;

TEST(KeepUri, LoadKeepQuietPrintsOnlyAUriThatConnectsToTheLoadedData) {
  const fs::path profile = fs::temp_directory_path() / (testing::unique_name("keep") + ".yaml");
  std::ofstream(profile) << "name: keepme\nscales: { s: 10 }\ntables:\n  t:\n    rows: 25\n"
                            "    columns:\n      id: { type: bigint, primary_key: true }\n";
  const testing::CommandResult r = testing::run_pgshape({"load", profile.string(), "--keep", "-q"},
                                                        {{"PGPASSWORD", "unused-pw"}});
  fs::remove(profile);
  ASSERT_EQ(r.exit_code, 0) << r.err;
  // Stop the kept server whatever happens below: the hint says how.
  const testing::KeptServers kept(r.err);
  ASSERT_EQ(kept.size(), 1u) << r.err;

  ASSERT_FALSE(r.out.empty());
  EXPECT_EQ(r.out.find('\n'), r.out.size() - 1) << "one line only:\n" << r.out;
  const std::string uri = r.out.substr(0, r.out.size() - 1);
  EXPECT_EQ(uri.rfind("postgresql://", 0), 0u) << uri;
  // On stderr, for a person: both spellings, neither with a password.
  std::smatch conninfo;
  ASSERT_TRUE(std::regex_search(r.err, conninfo, std::regex(R"(\n  conninfo: (host=[^\n]*)\n)")))
      << r.err;
  EXPECT_NE(r.err.find("\n  URI:      " + uri + "\n"), std::string::npos) << r.err;
  EXPECT_EQ(r.err.find("password"), std::string::npos) << r.err;
  EXPECT_EQ((r.out + r.err).find("unused-pw"), std::string::npos);
  EXPECT_EQ(uri.find("password"), std::string::npos) << uri;
  {
    pqxx::connection by_conninfo(conninfo[1].str());
    pqxx::read_transaction tx(by_conninfo);
    EXPECT_EQ(tx.exec1("SELECT count(*) FROM keepme.t")[0].as<int>(), 25);
  }
  pqxx::connection conn(uri);
  pqxx::read_transaction tx(conn);
  EXPECT_EQ(tx.exec1("SELECT count(*) FROM keepme.t")[0].as<int>(), 25);
}

}  // namespace
}  // namespace pgshape
