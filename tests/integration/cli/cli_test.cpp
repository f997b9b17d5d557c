// The pgshape command line as a user meets it: help for every command lists
// exactly its flags, typos get "did you mean", bad values are refused before any
// work, errors have a code (also as JSON), I/O failures exit 1.
#include <gtest/gtest.h>
#include <unistd.h>

#include <filesystem>
#include <fstream>
#include <nlohmann/json.hpp>
#include <regex>
#include <set>
#include <sstream>

#include "pgshape/app.hpp"
#include "test_server.hpp"

namespace pgshape {
namespace {

namespace fs = std::filesystem;
using testing::CommandResult;
using testing::run_pgshape;

// The flag and argument names a --help lists ("  -t, --table NAME  ..." gives -t, --table).
std::set<std::string> listed_names(const std::string& help) {
  std::set<std::string> names;
  std::istringstream lines(help);
  const std::regex entry(R"(^  (\S.*?)(  .*)?$)");
  for (std::string line; std::getline(lines, line);) {
    std::smatch m;
    if (!std::regex_match(line, m, entry)) continue;
    std::istringstream words(m[1].str());
    std::string word;
    words >> word;  // the first name; a second follows a comma
    if (!word.empty() && word.back() == ',') {
      word.pop_back();
      names.insert(word);
      words >> word;
    }
    names.insert(word);
  }
  return names;
}

std::set<std::string> table_names(const CommandSpec& command) {
  std::set<std::string> names;
  for (const auto& use : command.options)
    for (const auto& name : split_list(option_spec(use.id).names)) names.insert(name);
  return names;
}

TEST(CliHelp, EveryCommandsHelpListsExactlyTheFlagsItTakes) {
  for (const auto& command : command_specs()) {
    SCOPED_TRACE(std::string(command.name));
    const CommandResult help = run_pgshape({std::string(command.name), "--help"});
    EXPECT_EQ(help.exit_code, 0) << help.err;
    EXPECT_EQ(listed_names(help.out), table_names(command)) << help.out;
    EXPECT_EQ(help.out.rfind("usage: pgshape " + std::string(command.name), 0), 0u) << help.out;
    // The same text from `pgshape help CMD` and `-h`.
    EXPECT_EQ(run_pgshape({"help", std::string(command.name)}).out, help.out);
    EXPECT_EQ(run_pgshape({std::string(command.name), "-h"}).out, help.out);
  }
}

TEST(CliHelp, NoArgumentsAndHelpPrintTheCommands) {
  for (const std::vector<std::string>& args :
       {std::vector<std::string>{}, std::vector<std::string>{"help"},
        std::vector<std::string>{"--help"}}) {
    const CommandResult r = run_pgshape(args);
    EXPECT_EQ(r.exit_code, 0) << r.err;
    EXPECT_NE(r.out.find("usage: pgshape COMMAND"), std::string::npos) << r.out;
    for (const auto& command : command_specs())
      EXPECT_NE(r.out.find("  " + std::string(command.name) + " "), std::string::npos)
          << command.name;
  }
  const CommandResult version = run_pgshape({"--version"});
  EXPECT_EQ(version.exit_code, 0);
  EXPECT_EQ(version.out, "pgshape " + std::string(PGSHAPE_VERSION) + "\n");
}

struct Typo {
  std::vector<std::string> args;
  std::string code;
  std::string suggestion;  // what the HINT proposes
};

TEST(CliTypos, UnknownCommandsAndOptionsGetDidYouMean) {
  const std::vector<Typo> typos = {
      {{"lod", "profiles/shop.yaml"}, "usage.unknown-command", "did you mean 'load'?"},
      {{"hepl"}, "usage.unknown-command", "did you mean 'help'?"},
      {{"help", "valdiate"}, "usage.unknown-command", "did you mean 'validate'?"},
      {{"--verison"}, "usage.unknown-option", "did you mean '--version'?"},
      {{"load", "profiles/shop.yaml", "--scael", "test"},
       "usage.unknown-option",
       "did you mean '--scale'?"},
      {{"explain", "profiles/shop.yaml", "--scale=test"},
       "usage.unknown-option",
       "did you mean '--scales'?"},
      {{"stats", "--source", "x", "--schema", "public"},
       "usage.unknown-option",
       "did you mean '--source-schema'?"},
      {{"compare", "a", "b", "--dsn", "x"}, "usage.unknown-option", "--dsn is an option of: load"},
      {{"--dsn", "x", "load"}, "usage.unknown-option", "give it after the command"},
  };
  for (const auto& t : typos) {
    SCOPED_TRACE(t.args.empty() ? "" : t.args[0] + " " + t.args.back());
    const CommandResult r = run_pgshape(t.args);
    EXPECT_EQ(r.exit_code, 2) << r.err;
    EXPECT_NE(r.err.find("HINT: "), std::string::npos) << r.err;
    EXPECT_NE(r.err.find(t.suggestion), std::string::npos) << r.err;
    EXPECT_EQ(r.out, "");
  }
}

nlohmann::json json_of(const CommandResult& r) {
  try {
    return nlohmann::json::parse(r.out);
  } catch (const std::exception& e) {
    ADD_FAILURE() << "stdout is not JSON (" << e.what() << "):\n" << r.out << "\n" << r.err;
    return {};
  }
}

TEST(CliValues, SeedsOutsideZeroToTwoToTheSixtyFourAreRefused) {
  for (const std::string seed :
       {"-1", "99999999999999999999", "18446744073709551616", "1e3", "0x10", " 5", ""}) {
    SCOPED_TRACE(seed);
    const CommandResult r = run_pgshape(
        {"params", "profiles/shop.yaml", "--query", "listing", "--seed", seed, "--json"});
    EXPECT_EQ(r.exit_code, 2) << r.err;
    EXPECT_EQ(json_of(r)["error"]["code"], "usage.bad-option") << r.out;
  }
  const CommandResult max = run_pgshape({"params", "profiles/shop.yaml", "--query", "listing",
                                         "--count", "3", "--seed", "18446744073709551615"});
  EXPECT_EQ(max.exit_code, 0) << max.err;
  const CommandResult zero = run_pgshape(
      {"params", "profiles/shop.yaml", "--query", "listing", "--count", "3", "--seed=0"});
  EXPECT_EQ(zero.exit_code, 0) << zero.err;
  EXPECT_NE(max.out, zero.out) << "the seed must reach the draw";
}

TEST(CliValues, NumbersAndChoicesAreCheckedAgainstTheTable) {
  const std::vector<std::vector<std::string>> bad = {
      {"load", "profiles/shop.yaml", "--jobs", "0"},
      {"load", "profiles/shop.yaml", "-j", "65"},
      {"load", "profiles/shop.yaml", "--jobs", "2x"},
      {"load", "profiles/shop.yaml", "--copy-format", "csv"},
      {"explain", "profiles/shop.yaml", "--fail-on", "shape-change,slower"},
      {"params", "profiles/shop.yaml", "--query", "listing", "--count", "0"},
      {"stats", "--source", "x", "--test-fraction", "2"},
      {"reference", "--completion", "fish"},
      {"reference", "--man", "--errors"},
      {"load", "profiles/shop.yaml", "-q", "-v"},
  };
  for (const auto& args : bad) {
    SCOPED_TRACE(args[0] + " " + args[args.size() - 2] + " " + args.back());
    // Refused before any connection: DATABASE_URL points nowhere.
    const CommandResult r = run_pgshape(args, {{"DATABASE_URL", "host=/nonexistent port=1"}});
    EXPECT_EQ(r.exit_code, 2) << r.err;
    EXPECT_NE(r.err.find("pgshape: "), std::string::npos) << r.err;
  }
}

TEST(CliValues, MissingAndExtraArgumentsAreUsageErrors) {
  struct Case {
    std::vector<std::string> args;
    std::string code;
  };
  for (const auto& c :
       std::vector<Case>{{{"validate"}, "usage.missing-argument"},
                         {{"workload", "profiles/shop.yaml"}, "usage.missing-argument"},
                         {{"params", "profiles/shop.yaml", "--query"}, "usage.missing-argument"},
                         {{"validate", "profiles/shop.yaml", "extra.yaml", "--json"},
                          "usage.unexpected-argument"},
                         {{"compare", "a", "b", "c", "--json"}, "usage.unexpected-argument"}}) {
    SCOPED_TRACE(c.args[0]);
    const CommandResult r = run_pgshape(c.args);
    EXPECT_EQ(r.exit_code, 2) << r.err;
    if (c.args.back() == "--json") {
      EXPECT_EQ(json_of(r)["error"]["code"], c.code) << r.out;
    } else {
      EXPECT_NE(r.err.find("HINT: 'pgshape " + c.args[0] + " --help'"), std::string::npos) << r.err;
    }
  }
}

TEST(CliErrors, ValidateJsonOfAnInvalidProfileIsAnErrorDocumentWithEveryDiagnostic) {
  const std::string path = "tests/fixtures/bad/alias_list_bomb.yaml";
  const CommandResult text = run_pgshape({"validate", path});
  const CommandResult r = run_pgshape({"validate", path, "--json"});
  EXPECT_EQ(r.exit_code, 2);
  EXPECT_EQ(r.err, "") << "with --json the error goes to stdout only";
  const nlohmann::json j = json_of(r);
  EXPECT_EQ(j["error"]["code"], "profile.invalid");
  EXPECT_EQ(j["error"]["exit"], 2);
  ASSERT_TRUE(j["diagnostics"].is_array());
  ASSERT_FALSE(j["diagnostics"].empty());
  size_t lines_in_text = 0;
  for (std::istringstream in(text.err); !in.eof();) {
    std::string line;
    std::getline(in, line);
    lines_in_text += line.rfind(path + ":", 0) == 0;
  }
  EXPECT_EQ(j["diagnostics"].size(), lines_in_text) << "the same problems as the text";
  for (const auto& d : j["diagnostics"]) {
    for (const char* key : {"code", "file", "line", "column", "message", "hint"})
      EXPECT_TRUE(d.contains(key)) << key << " in " << d.dump();
    EXPECT_EQ(d["file"], path);
    EXPECT_GT(d["line"].get<int>(), 0);
    EXPECT_EQ(std::string(d["code"]).rfind("profile.", 0), 0u) << d.dump();
    EXPECT_NO_THROW(ErrorId::lookup(std::string(d["code"]))) << "undeclared code";
  }
}

TEST(CliErrors, ValidateJsonOfAValidProfileSaysValid) {
  const CommandResult r = run_pgshape({"validate", "profiles/shop.yaml", "--json"});
  EXPECT_EQ(r.exit_code, 0) << r.err;
  EXPECT_EQ(json_of(r)["valid"], true);
}

TEST(CliErrors, AFileThatCannotBeWrittenExitsOneAndLeavesNothingBehind) {
  const fs::path dir = fs::temp_directory_path() / testing::unique_name("cli_io");
  fs::create_directories(dir);
  fs::permissions(dir, fs::perms::owner_read | fs::perms::owner_exec);
  const fs::path target =
      getuid() == 0 ? fs::path("/proc/pgshape-cannot-write/params.csv") : dir / "params.csv";
  const CommandResult r = run_pgshape(
      {"params", "profiles/shop.yaml", "--query", "listing", "-o", target.string(), "--json"});
  EXPECT_EQ(r.exit_code, 1) << r.out << r.err;
  const nlohmann::json j = json_of(r);
  EXPECT_EQ(j["error"]["code"], "io.write-failed");
  EXPECT_EQ(j["error"]["exit"], 1);
  EXPECT_NE(std::string(j["error"]["message"]).find(target.string()), std::string::npos);
  EXPECT_FALSE(fs::exists(target));
  fs::permissions(dir, fs::perms::owner_all);
  fs::remove_all(dir);
}

TEST(CliErrors, ConnectionFailuresSayCouldNotConnectAndWhere) {
  const CommandResult r =
      run_pgshape({"load", "profiles/shop.yaml", "--scale", "test", "--dsn",
                   "postgresql://someone:s3cret-pw@127.0.0.1:1/nowhere", "--json"});
  EXPECT_EQ(r.exit_code, 1) << r.err;
  const nlohmann::json j = json_of(r);
  EXPECT_EQ(j["error"]["code"], "db.connect-failed") << r.out;
  const std::string message = j["error"]["message"];
  EXPECT_EQ(message.rfind("could not connect to postgresql://someone:", 0), 0u) << message;
  EXPECT_NE(message.find("127.0.0.1:1/nowhere: "), std::string::npos) << message;
  EXPECT_NE(message.find("refused"), std::string::npos) << message;
  EXPECT_EQ(r.out.find("s3cret-pw"), std::string::npos) << r.out;

  const CommandResult text =
      run_pgshape({"stats", "--source", "host=127.0.0.1 port=1 password=s3cret-pw dbname=x"});
  EXPECT_EQ(text.exit_code, 1);
  EXPECT_EQ(text.err.rfind("pgshape: could not connect to host=127.0.0.1 port=1", 0), 0u)
      << text.err;
  EXPECT_EQ(text.err.find("s3cret-pw"), std::string::npos) << text.err;
}

TEST(CliPlurals, OneOfAThingIsSingular) {
  const CommandResult r = run_pgshape({"validate", "profiles/shop.yaml"});
  EXPECT_EQ(r.exit_code, 0) << r.err;
  EXPECT_NE(r.out.find("5 queries, 1 experiment, 2 transactions"), std::string::npos) << r.out;
}

fs::path scratch(const std::string& name) {
  const fs::path dir = fs::temp_directory_path() / testing::unique_name(name);
  fs::remove_all(dir);
  return dir;
}

TEST(CliValidate, TheSummaryListsAMultiColumnForeignKeyWhole) {
  const fs::path dir = scratch("cli_validate_fk");
  fs::create_directories(dir);
  const fs::path path = dir / "fk.yaml";
  std::ofstream(path) << R"yaml(name: t
scales: { s: 1000 }
tables:
  orders:
    rows: 1x
    columns: { id: { type: bigint, primary_key: true } }
  items:
    rows: 2x
    primary_key: [order_id, line_no]
    columns:
      order_id: { type: bigint, ref: orders.id, dist: fanout, values: { 1: 1, 3: 1 } }
      line_no: { type: integer, dist: child_number, of: order_id }
  shipments:
    rows: 3x
    foreign_keys: [{ columns: [order_id, line_no], ref: "items(order_id, line_no)" }]
    columns:
      id: { type: bigint, primary_key: true }
      order_id: { type: bigint, ref: items.order_id, dist: uniform }
      line_no: { type: integer, dist: copy, from: order_id.line_no }
)yaml";
  const CommandResult text = run_pgshape({"validate", path.string()});
  ASSERT_EQ(text.exit_code, 0) << text.err;
  EXPECT_NE(text.out.find("\n  items.order_id -> orders.id  (fanout)\n"), std::string::npos)
      << text.out;
  EXPECT_NE(text.out.find("\n  shipments (order_id, line_no) -> items (order_id, line_no)  "
                          "(uniform)\n"),
            std::string::npos)
      << text.out;
  EXPECT_EQ(text.out.find("shipments.order_id"), std::string::npos) << text.out;

  const CommandResult r = run_pgshape({"validate", path.string(), "--json"});
  ASSERT_EQ(r.exit_code, 0) << r.err;
  const nlohmann::json j = json_of(r);
  ASSERT_EQ(j["tables"][2]["name"], "shipments") << j.dump(2);
  const nlohmann::json fk = j["tables"][2]["foreign_keys"].at(0);
  EXPECT_EQ(fk["column"], "order_id");
  EXPECT_EQ(fk["columns"], (nlohmann::json{"order_id", "line_no"}));
  EXPECT_EQ(fk["references_table"], "items");
  EXPECT_EQ(fk["references_columns"], (nlohmann::json{"order_id", "line_no"}));
  const nlohmann::json single = j["tables"][1]["foreign_keys"].at(0);
  EXPECT_EQ(single["columns"], nlohmann::json{"order_id"});
  EXPECT_EQ(single["references_columns"], nlohmann::json{"id"});
  fs::remove_all(dir);
}

std::set<std::string> files_in(const fs::path& dir) {
  std::set<std::string> names;
  for (const auto& e : fs::directory_iterator(dir)) names.insert(e.path().filename().string());
  return names;
}

TEST(CliLists, TablesRepeatOrCommaSeparateAndOldSpellingsStillWork) {
  const fs::path a = scratch("cli_tables_a"), b = scratch("cli_tables_b");
  const CommandResult r =
      run_pgshape({"generate", "profiles/shop.yaml", "--scale", "test", "-t", "categories",
                   "--table", "products,customers", "-o", a.string(), "-q"});
  ASSERT_EQ(r.exit_code, 0) << r.err;
  EXPECT_EQ(files_in(a),
            (std::set<std::string>{"categories.copy", "products.copy", "customers.copy"}));
  const CommandResult old = run_pgshape({"generate", "profiles/shop.yaml", "--scale", "test",
                                         "--tables", "categories", "--output", b.string(), "-q"});
  ASSERT_EQ(old.exit_code, 0) << old.err;
  EXPECT_EQ(files_in(b), std::set<std::string>{"categories.copy"});
  EXPECT_EQ(testing::read_all(a / "categories.copy"), testing::read_all(b / "categories.copy"));
  fs::remove_all(a);
  fs::remove_all(b);
}

}  // namespace
}  // namespace pgshape
