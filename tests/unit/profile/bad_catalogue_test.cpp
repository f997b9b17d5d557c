// The bad-profile catalogue (issues 6, 13, 14): every file under
// tests/fixtures/bad/ is a profile pgshape must refuse with exit 2, without
// crashing and without touching a database. expectations.tsv holds one row per
// fixture: the file, the exit code, the line and column of the diagnostic, its
// code (kErrorCodes) and, where the wording is the point, a phrase of its
// message. The code and the position are checked in process (the Diagnostic);
// the CLI is checked for the exit code and the positioned line. Line 0 means
// the problem has no position (a directory).
//
// A few inputs are generated here rather than committed: deeply nested YAML and
// a 50 MB profile. That a bad profile leaves a real database untouched is
// checked in tests/integration/profile/bad_profile_database_test.cpp.
#include <gtest/gtest.h>

#include <chrono>
#include <filesystem>
#include <fstream>
#include <ostream>
#include <set>
#include <sstream>
#include <string>
#include <vector>

#include "pgshape/error.hpp"
#include "pgshape/profile.hpp"
#include "test_server.hpp"

namespace pgshape {
namespace {

namespace fs = std::filesystem;
using testing::run_pgshape;

const std::string kBadDir = "tests/fixtures/bad";

struct BadCase {
  std::string fixture;
  int exit_code = 2;
  int line = 0;
  int column = 0;
  std::string code;
  std::string phrase;  // may be empty
};

// What ctest and gtest print for a case: its fixture, not its bytes.
void PrintTo(const BadCase& c, std::ostream* out) {
  *out << c.fixture;
}

std::vector<BadCase> load_manifest() {
  std::vector<BadCase> cases;
  std::ifstream in(std::string(PGSHAPE_SOURCE_DIR) + "/" + kBadDir + "/expectations.tsv");
  std::string row;
  while (std::getline(in, row)) {
    if (row.empty() || row[0] == '#') continue;
    std::istringstream fields(row);
    BadCase c;
    std::string exit_code, line, column;
    std::getline(fields, c.fixture, '\t');
    std::getline(fields, exit_code, '\t');
    std::getline(fields, line, '\t');
    std::getline(fields, column, '\t');
    std::getline(fields, c.code, '\t');
    std::getline(fields, c.phrase);
    c.exit_code = std::stoi(exit_code);
    c.line = std::stoi(line);
    c.column = std::stoi(column);
    cases.push_back(std::move(c));
  }
  return cases;
}

// The line of `err` that reports `prefix` (file:LINE:COL: ) with `phrase`, or "".
std::string diagnostic_line(const std::string& err, const std::string& prefix,
                            const std::string& phrase) {
  std::istringstream lines(err);
  std::string line;
  while (std::getline(lines, line))
    if (line.rfind(prefix, 0) == 0 && line.find(phrase) != std::string::npos) return line;
  return {};
}

std::string prefix_of(const std::string& file, int line, int column) {
  if (line <= 0) return file + ": ";
  return file + ":" + std::to_string(line) + ":" + std::to_string(column) + ": ";
}

class BadCatalogue : public ::testing::TestWithParam<BadCase> {};

TEST_P(BadCatalogue, DiagnosticHasItsCodeAndPosition) {
  const BadCase& c = GetParam();
  ASSERT_NO_THROW(ErrorId::lookup(c.code)) << "undeclared code " << c.code;
  const std::string path = std::string(PGSHAPE_SOURCE_DIR) + "/" + kBadDir + "/" + c.fixture;
  try {
    load_profile(path);
    FAIL() << c.fixture << " was accepted";
  } catch (const ProfileError& e) {
    std::string all;
    bool found = false;
    for (const auto& d : e.diagnostics()) {
      EXPECT_NO_THROW(ErrorId::lookup(d.code)) << d.to_string();
      EXPECT_NE(d.code, "profile.invalid")
          << "a diagnostic without its own code: " << d.to_string();
      all += d.code + "  " + d.to_string() + "\n";
      found = found || (d.code == c.code && d.line == c.line && d.column == c.column &&
                        d.message.find(c.phrase) != std::string::npos);
    }
    EXPECT_TRUE(found) << "want " << c.code << " at " << c.line << ":" << c.column
                       << (c.phrase.empty() ? "" : " with '" + c.phrase + "'") << "; got:\n"
                       << all;
  }
}

TEST_P(BadCatalogue, ValidateRejectsWithPositionedMessageAndExit2) {
  const BadCase& c = GetParam();
  const std::string path = kBadDir + "/" + c.fixture;
  const auto result = run_pgshape({"validate", path});
  // 128 + signal would mean a crash; 2 is "bad profile".
  ASSERT_LT(result.exit_code, 128) << "pgshape crashed on " << path << "\n" << result.err;
  EXPECT_EQ(result.exit_code, c.exit_code) << result.err;
  const std::string prefix = prefix_of(path, c.line, c.column);
  EXPECT_NE(diagnostic_line(result.err, prefix, c.phrase), "")
      << "expected a line starting '" << prefix << "'; stderr was:\n"
      << result.err;
  EXPECT_EQ(result.out, "") << "a rejected profile prints no summary";
}

TEST_P(BadCatalogue, LoadRejectsBeforeConnecting) {
  // The DSN names a server that cannot exist: had pgshape connected before
  // checking the profile, it would fail with exit 1 (connection refused).
  const BadCase& c = GetParam();
  const std::string path = kBadDir + "/" + c.fixture;
  const auto result = run_pgshape(
      {"load", path, "--dsn", "host=/nonexistent/pgshape-socket port=1 connect_timeout=1"});
  ASSERT_LT(result.exit_code, 128) << result.err;
  EXPECT_EQ(result.exit_code, c.exit_code) << result.err;
  EXPECT_NE(diagnostic_line(result.err, prefix_of(path, c.line, c.column), c.phrase), "")
      << result.err;
}

std::string case_name(const ::testing::TestParamInfo<BadCase>& info) {
  std::string name = info.param.fixture;
  if (auto dot = name.rfind(".yaml"); dot != std::string::npos) name.resize(dot);
  for (char& ch : name)
    if (!std::isalnum(static_cast<unsigned char>(ch))) ch = '_';
  return name;
}

INSTANTIATE_TEST_SUITE_P(Fixtures, BadCatalogue, ::testing::ValuesIn(load_manifest()), case_name);

TEST(BadCatalogueManifest, ListsEveryFixtureOnceWithADeclaredCode) {
  const auto cases = load_manifest();
  EXPECT_GE(cases.size(), 140u);
  std::set<std::string> listed, codes;
  for (const auto& c : cases) {
    EXPECT_TRUE(listed.insert(c.fixture).second) << "listed twice: " << c.fixture;
    EXPECT_NO_THROW(ErrorId::lookup(c.code)) << c.fixture << ": " << c.code;
    codes.insert(c.code);
  }
  for (const auto& entry :
       fs::directory_iterator(std::string(PGSHAPE_SOURCE_DIR) + "/" + kBadDir)) {
    const std::string name = entry.path().filename().string();
    if (name == "expectations.tsv" || name == ".gitattributes") continue;
    EXPECT_TRUE(listed.count(name)) << "fixture without an expectation: " << name;
  }
  // Every profile.* code a diagnostic can carry has a fixture (profile.invalid is
  // the umbrella; the DDL and overlay codes need a server or a second file).
  for (const auto& info : kErrorCodes) {
    const std::string code(info.code);
    if (code.rfind("profile.", 0) != 0 || code == "profile.invalid" ||
        code == "profile.ddl-mismatch" || code.rfind("profile.overlay", 0) == 0)
      continue;
    EXPECT_TRUE(codes.count(code)) << "no fixture shows " << code;
  }
}

// A file named as SQL that is not SQL is refused by name: its contents are never
// shown (issue 14: `ddl: /etc/shadow` echoed its first line).
TEST(BadCatalogueSqlFiles, ContentsOfANonSqlFileAreNeverShown) {
  const fs::path dir = fs::temp_directory_path() / testing::unique_name("pgshape-notsql");
  fs::create_directories(dir);
  std::ofstream(dir / "secret.sql") << "root:$y$j9T$SECRETHASH:19000:0:99999:7:::\n";
  std::ofstream(dir / "p.yaml") << "name: s\nddl: secret.sql\nscales: { s: 1 }\n"
                                   "tables: { a: { rows: 1, columns: { id: { type: int } } } }\n"
                                   "queries: [{ name: q, file: secret.sql }]\n";
  const auto result = run_pgshape({"validate", (dir / "p.yaml").string()});
  fs::remove_all(dir);
  EXPECT_EQ(result.exit_code, 2) << result.err;
  EXPECT_NE(result.err.find("'secret.sql' is not a SQL file"), std::string::npos) << result.err;
  EXPECT_EQ(result.err.find("SECRETHASH"), std::string::npos) << result.err;
  EXPECT_EQ(result.err.find("root:"), std::string::npos) << result.err;
}

// --- Generated inputs -------------------------------------------------------

class TempProfile {
 public:
  explicit TempProfile(const std::string& text) {
    path_ = (fs::temp_directory_path() / testing::unique_name("pgshape-bad")).string() + ".yaml";
    std::ofstream(path_, std::ios::binary) << text;
  }
  ~TempProfile() {
    std::error_code ec;
    fs::remove(path_, ec);
  }
  const std::string& path() const { return path_; }

 private:
  std::string path_;
};

struct Timed {
  testing::CommandResult result;
  double seconds;
};

Timed validate_timed(const std::string& path) {
  const auto start = std::chrono::steady_clock::now();
  auto result = run_pgshape({"validate", path});
  return {std::move(result),
          std::chrono::duration<double>(std::chrono::steady_clock::now() - start).count()};
}

TEST(BadCatalogueGenerated, HundredThousandOpenBracketsAreRejectedWhereTheyNestTooDeep) {
  TempProfile profile("name: deep\nx: " + std::string(100000, '['));
  const auto [result, seconds] = validate_timed(profile.path());
  ASSERT_LT(result.exit_code, 128) << "crashed (stack overflow?)";
  EXPECT_EQ(result.exit_code, 2) << result.err;
  // Line 2: "x: " then the 65th '[' (column 3 + 65) passes the limit of 64.
  EXPECT_NE(diagnostic_line(result.err, profile.path() + ":2:68: ", "nests deeper than 64"), "")
      << result.err;
  EXPECT_LT(seconds, 10.0);
}

TEST(BadCatalogueGenerated, BalancedDeepNestingIsRejectedToo) {
  TempProfile profile("name: deep\nx: " + std::string(100000, '[') + std::string(100000, ']') +
                      "\n");
  const auto [result, seconds] = validate_timed(profile.path());
  ASSERT_LT(result.exit_code, 128);
  EXPECT_EQ(result.exit_code, 2) << result.err;
  EXPECT_NE(diagnostic_line(result.err, profile.path() + ":2:68: ", "nests deeper"), "")
      << result.err;
}

TEST(BadCatalogueGenerated, DeepBlockNestingDoesNotCrash) {
  // 1000 levels of block maps (indentation, no brackets): past yaml-cpp's own
  // depth guard, which must turn into a positioned message.
  std::string text = "name: deep\nx:\n";
  for (int i = 0; i < 1000; ++i) text += std::string(static_cast<size_t>(i + 1), ' ') + "k:\n";
  TempProfile profile(text);
  const auto [result, seconds] = validate_timed(profile.path());
  ASSERT_LT(result.exit_code, 128) << "crashed";
  EXPECT_EQ(result.exit_code, 2) << result.err;
  EXPECT_NE(result.err.find(profile.path() + ":"), std::string::npos) << result.err;
  EXPECT_NE(result.err.find("nests deeper"), std::string::npos) << result.err;
}

// A 50 MB profile is refused quickly where it passes the 4 MB limit, whatever
// its content: yaml-cpp would take most of a minute and gigabytes on it.
TEST(BadCatalogueGenerated, FiftyMegabyteCommentIsRefusedQuickly) {
  std::string text = "name: huge\nscales: { s: 1 }\n# " + std::string(50u << 20, 'x') + "\n";
  TempProfile profile(text);
  const auto [result, seconds] = validate_timed(profile.path());
  ASSERT_LT(result.exit_code, 128);
  EXPECT_EQ(result.exit_code, 2) << result.err;
  // Line 3 starts at byte 28 (after "name: huge\n" and "scales: { s: 1 }\n"),
  // so byte 4 MiB is its column 4 MiB - 28 + 1.
  const int column = (4 << 20) - 28 + 1;
  EXPECT_NE(diagnostic_line(result.err, profile.path() + ":3:" + std::to_string(column) + ": ",
                            "larger than 4 MB"),
            "")
      << result.err.substr(0, 500);
  EXPECT_LT(seconds, 5.0);
}

TEST(BadCatalogueGenerated, FiftyMegabyteWordListIsRefusedQuickly) {
  std::string text =
      "name: huge\nscales: { s: 10 }\ntables:\n  a:\n    rows: 10\n    columns:\n"
      "      t: { type: text, dist: words, words: [";
  text.reserve(51u << 20);
  for (int i = 0; text.size() < (50u << 20); ++i) text += "w" + std::to_string(i) + ", ";
  text += "w] }\n";
  TempProfile profile(text);
  const auto [result, seconds] = validate_timed(profile.path());
  ASSERT_LT(result.exit_code, 128);
  EXPECT_EQ(result.exit_code, 2) << result.err;
  EXPECT_NE(result.err.find("larger than 4 MB"), std::string::npos) << result.err.substr(0, 500);
  EXPECT_LT(seconds, 5.0);
}

TEST(BadCatalogueGenerated, AProfileJustUnderTheLimitStillParses) {
  // The limit refuses absurd input, not large real profiles: 3.9 MB of comments
  // around a valid profile is accepted.
  std::string text = "name: big\nscales: { s: 10 }\n";
  while (text.size() < (39u << 20) / 10) text += "# " + std::string(100, 'c') + "\n";
  text += "tables:\n  a:\n    rows: 10\n    columns: { id: { type: bigint } }\n";
  EXPECT_NO_THROW(parse_profile(text, "big.yaml"));
}

TEST(BadCatalogueGenerated, MissingFileIsExit2) {
  const auto result = run_pgshape({"validate", "tests/fixtures/bad/no-such-profile.yaml"});
  EXPECT_EQ(result.exit_code, 2);
  EXPECT_NE(result.err.find("tests/fixtures/bad/no-such-profile.yaml: no such file"),
            std::string::npos)
      << result.err;
}

// An identifier with quotes and SQL in it is a legal PostgreSQL name when it is
// quoted everywhere, which pgshape does: validation accepts it (loading it as
// that literal name is the loader's concern, tested with the loader).
TEST(BadCatalogueGenerated, IdentifierWithQuotesAndSqlIsAcceptedAsAName) {
  const std::string text =
      "name: quoted\nscales: { s: 10 }\ntables:\n"
      "  'x\"; DROP TABLE victim; --':\n    rows: 10\n"
      "    columns: { 'id\"--': { type: bigint, primary_key: true } }\n";
  TempProfile profile(text);
  const auto result = run_pgshape({"validate", profile.path()});
  EXPECT_EQ(result.exit_code, 0) << result.err;
  EXPECT_NE(result.out.find("x\"; DROP TABLE victim; --"), std::string::npos) << result.out;
}

}  // namespace
}  // namespace pgshape
