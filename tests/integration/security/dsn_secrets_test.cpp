// A password in the DSN never shows up in what pgshape writes: stdout, stderr
// (also when connecting fails and libpq quotes the connection string back),
// JSON output, and the files of an explain capture. The role really has a
// password; the test server trusts local connections, so the right password
// and a wrong host both get exercised.
#include <gtest/gtest.h>

#include <filesystem>
#include <fstream>
#include <map>
#include <pqxx/pqxx>
#include <sstream>
#include <string>

#include "test_server.hpp"

namespace pgshape {
namespace {

namespace fs = std::filesystem;
using testing::CommandResult;
using testing::read_all;
using testing::run_pgshape;
using testing::test_dsn;
using testing::unique_name;

constexpr const char* kPassword = "S3cretPW";

class DsnSecrets : public ::testing::Test {
 protected:
  void SetUp() override {
    role_ = unique_name("pwuser");
    schema_ = unique_name("secrets");
    dir_ = fs::temp_directory_path() / unique_name("pgshape-secrets");
    fs::create_directories(dir_);
    profile_ = (dir_ / "tiny.yaml").string();
    std::ofstream(profile_) << R"(name: tiny
seed: 5
scales:
  small: 50
  large: 200
tables:
  t:
    rows: 1x
    columns:
      id: { type: bigint, primary_key: true, dist: sequence }
      v: { type: integer, dist: zipf, n: 20, s: 1.1 }
queries:
  - name: by_v
    sql: SELECT count(*) FROM t WHERE v = $1
    params:
      - { column: t.v, pick: [most_common, rare] }
)";
    pqxx::nontransaction tx(conn_);
    database_ = tx.exec1("SELECT current_database()")[0].as<std::string>();
    port_ = tx.exec1("SHOW port")[0].as<std::string>();
    socket_dir_ = tx.exec1("SHOW unix_socket_directories")[0].as<std::string>();
    socket_dir_ = socket_dir_.substr(0, socket_dir_.find(','));
    listens_on_tcp_ =
        tx.exec1("SHOW listen_addresses")[0].as<std::string>().find("127.0.0.1") !=
            std::string::npos ||
        tx.exec1("SHOW listen_addresses")[0].as<std::string>().find('*') != std::string::npos;
    // esc() between quotes, not quote(): GCC 12 at -O3 warns (-Wrestrict) inside
    // libpqxx's quote().
    tx.exec0("CREATE ROLE " + conn_.quote_name(role_) + " LOGIN PASSWORD '" + tx.esc(kPassword) +
             "'");
    tx.exec0("GRANT CREATE ON DATABASE " + conn_.quote_name(database_) + " TO " +
             conn_.quote_name(role_));
  }
  void TearDown() override {
    pqxx::nontransaction tx(conn_);
    tx.exec0("DROP OWNED BY " + conn_.quote_name(role_) + " CASCADE");
    tx.exec0("DROP ROLE " + conn_.quote_name(role_));
    fs::remove_all(dir_);
  }

  // Every DSN form that names the password and reaches the server.
  std::vector<std::string> good_dsns() const {
    std::vector<std::string> out = {"postgresql://" + role_ + ":" + kPassword + "@/" + database_ +
                                        "?host=" + socket_dir_ + "&port=" + port_,
                                    "host=" + socket_dir_ + " port=" + port_ + " dbname=" +
                                        database_ + " user=" + role_ + " password=" + kPassword};
    if (listens_on_tcp_)
      out.push_back("postgresql://" + role_ + ":" + kPassword + "@127.0.0.1:" + port_ + "/" +
                    database_);
    return out;
  }

  void expect_no_secret(const CommandResult& r, const std::string& what) const {
    EXPECT_EQ(r.out.find(kPassword), std::string::npos) << what << ": stdout shows it:\n" << r.out;
    EXPECT_EQ(r.err.find(kPassword), std::string::npos) << what << ": stderr shows it:\n" << r.err;
  }

  pqxx::connection conn_{test_dsn()};
  std::string role_, schema_, database_, port_, socket_dir_, profile_;
  bool listens_on_tcp_ = false;
  fs::path dir_;
};

TEST_F(DsnSecrets, SuccessfulLoadAndExplainNeverShowPassword) {
  const auto dsns = good_dsns();
  ASSERT_TRUE(listens_on_tcp_ || !std::getenv("PGSHAPE_TEST_DSN"))
      << "scripts/test.sh's server listens on 127.0.0.1: the TCP form must be tested";
  for (const auto& dsn : dsns) {
    SCOPED_TRACE(dsn);
    for (const std::vector<std::string>& flags :
         {std::vector<std::string>{"-v"}, std::vector<std::string>{"--json"}}) {
      std::vector<std::string> args = {"load", profile_, "--schema", schema_, "--dsn", dsn};
      args.insert(args.end(), flags.begin(), flags.end());
      const CommandResult r = run_pgshape(args);
      EXPECT_EQ(r.exit_code, 0) << r.err;
      expect_no_secret(r, "load " + flags[0]);
    }
    // The same through DATABASE_URL instead of --dsn.
    const CommandResult env =
        run_pgshape({"load", profile_, "--schema", schema_, "-v"}, {{"DATABASE_URL", dsn}});
    EXPECT_EQ(env.exit_code, 0) << env.err;
    expect_no_secret(env, "load via DATABASE_URL");
  }

  const fs::path out = dir_ / "capture";
  const CommandResult r = run_pgshape({"explain", profile_, "--schema", schema_, "--dsn",
                                       dsns.back(), "--out", out.string(), "--runs", "1", "-v"});
  EXPECT_EQ(r.exit_code, 0) << r.err;
  expect_no_secret(r, "explain");
  size_t files = 0;
  for (const auto& entry : fs::recursive_directory_iterator(out)) {
    if (!entry.is_regular_file()) continue;
    ++files;
    EXPECT_EQ(read_all(entry.path()).find(kPassword), std::string::npos)
        << entry.path() << " contains the password";
  }
  EXPECT_GT(files, 2u) << "the capture wrote no plans or report to check";
}

TEST_F(DsnSecrets, FailedConnectionsNeverShowPassword) {
  const std::string user = role_ + ":" + kPassword;
  const std::vector<std::string> bad = {
      // Nothing listens on port 1: connection refused.
      "postgresql://" + user + "@127.0.0.1:1/" + database_,
      "host=127.0.0.1 port=1 user=" + role_ + " password=" + kPassword + " dbname=x",
      "host=127.0.0.1 port=1 user=" + role_ + " password='" + kPassword + " x' dbname=x",
      // A name that cannot resolve (.invalid is reserved for that).
      "postgresql://" + user + "@pgshape-no-such-host.invalid/" + database_,
      // The right server, a database that does not exist: the server answers.
      "postgresql://" + user + "@/pgshape_no_such_db?host=" + socket_dir_ + "&port=" + port_,
      // Malformed: libpq quotes the whole URI in its complaint.
      "postgresql://" + user + "@[::1/" + database_,
      "postgresql://" + user + "@/db?sslmode=bogus&host=" + socket_dir_,
      // A key=value string with an unterminated quote.
      std::string("host=127.0.0.1 password='") + kPassword + " port=1",
  };
  for (const auto& dsn : bad) {
    SCOPED_TRACE(dsn);
    const CommandResult r = run_pgshape({"load", profile_, "--schema", schema_, "--dsn", dsn});
    EXPECT_EQ(r.exit_code, 1) << r.err;
    EXPECT_NE(r.err.find("pgshape: "), std::string::npos) << "no message at all:\n" << r.err;
    expect_no_secret(r, "load --dsn");
    const CommandResult env =
        run_pgshape({"load", profile_, "--schema", schema_}, {{"DATABASE_URL", dsn}});
    EXPECT_EQ(env.exit_code, 1) << env.err;
    expect_no_secret(env, "load via DATABASE_URL");
    const CommandResult explain = run_pgshape(
        {"explain", profile_, "--dsn", dsn, "--out", (dir_ / "never").string(), "--json"});
    EXPECT_EQ(explain.exit_code, 1) << explain.err;
    expect_no_secret(explain, "explain --dsn");
  }
  // A refused connection names where it tried, so the user can fix the DSN.
  const CommandResult refused =
      run_pgshape({"load", profile_, "--dsn", "postgresql://" + user + "@127.0.0.1:1/x"});
  EXPECT_NE(refused.err.find("127.0.0.1"), std::string::npos) << refused.err;
}

}  // namespace
}  // namespace pgshape
