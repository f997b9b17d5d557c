// The shop sweep's report as a reader meets it: `pgshape explain profiles/shop.yaml`
// on a real server, then report.html rendered by a real Chromium (headless) at 900
// and 1,400 px. The page measures itself when opened as report.html#selftest and
// writes what it measured into <pre id="selftest">; the test reads it from the DOM
// Chromium dumps. No Chromium is a failure, not a skip (scripts/setup.sh installs it).
#include <gtest/gtest.h>

#include <filesystem>
#include <nlohmann/json.hpp>
#include <pqxx/pqxx>
#include <sstream>

#include "test_server.hpp"

namespace pgshape {
namespace {

namespace fs = std::filesystem;
using nlohmann::json;
using testing::run_command;
using testing::run_pgshape;
using testing::test_dsn;
using testing::unique_name;

class ShopReport : public ::testing::Test {
 protected:
  static void SetUpTestSuite() {
    dir_ = new fs::path(fs::temp_directory_path() / unique_name("shop_report"));
    schema_ = new std::string(unique_name("shop_report"));
    // COLUMNS=80: the terminal table must fit it (checked below).
    explain_ = new testing::CommandResult(
        run_pgshape({"explain", "profiles/shop.yaml", "--dsn", test_dsn(), "--schema", *schema_,
                     "--out", (*dir_ / "capture").string(), "-v"},
                    {{"COLUMNS", "80"}}));
  }
  static void TearDownTestSuite() {
    pqxx::connection conn(test_dsn());
    pqxx::work tx(conn);
    tx.exec("DROP SCHEMA IF EXISTS " + conn.quote_name(*schema_) + " CASCADE");
    tx.commit();
    fs::remove_all(*dir_);
    delete dir_;
    delete schema_;
    delete explain_;
  }

  // What the page measured at `width` px.
  static json selftest(int width) {
    const fs::path html = *dir_ / "capture" / "report.html";
    const auto r = run_command(
        {"chromium", "--headless=new", "--no-sandbox", "--disable-gpu",
         "--user-data-dir=" + (*dir_ / ("chromium-" + std::to_string(width))).string(),
         "--window-size=" + std::to_string(width) + ",2000", "--virtual-time-budget=5000",
         "--dump-dom", "file://" + html.string() + "#selftest"},
        "/");
    if (r.exit_code == 127) ADD_FAILURE() << "chromium is not installed (scripts/setup.sh)";
    const std::string open = "<pre id=\"selftest\">";
    size_t at = r.out.find(open);
    if (at == std::string::npos) {
      ADD_FAILURE() << "no selftest output (exit " << r.exit_code << "): " << r.err.substr(0, 2000);
      return json::object();
    }
    at += open.size();
    std::string text = r.out.substr(at, r.out.find("</pre>", at) - at);
    // The DOM dump escapes text: undo the three entities it uses.
    std::string plain;
    for (size_t i = 0; i < text.size(); ++i) {
      if (text.compare(i, 5, "&amp;") == 0)
        plain += '&', i += 4;
      else if (text.compare(i, 4, "&lt;") == 0)
        plain += '<', i += 3;
      else if (text.compare(i, 4, "&gt;") == 0)
        plain += '>', i += 3;
      else
        plain += text[i];
    }
    return json::parse(plain);
  }

  static void check_layout(int width) {
    ASSERT_EQ(explain_->exit_code, 0) << explain_->err;
    const json m = selftest(width);
    ASSERT_TRUE(m.contains("headline")) << m.dump();
    EXPECT_EQ(m["width"].get<int>(), width);
    // The first finding is the incident: listing [rank:50], a regression.
    ASSERT_FALSE(m["headline"].empty()) << m.dump(2);
    const json& first = m["headline"][0];
    EXPECT_NE(first["text"].get<std::string>().find("listing [rank:50]"), std::string::npos)
        << first.dump();
    EXPECT_EQ(first["kind"], "regression") << first.dump();
    EXPECT_NE(first["cls"].get<std::string>().find("problem"), std::string::npos);
    // Nothing scrolls sideways: not the page, not any table's container.
    EXPECT_LE(m["page"]["scroll"].get<int>(), m["page"]["client"].get<int>()) << m["page"];
    ASSERT_GE(m["tables"].size(), 2u);
    for (const auto& t : m["tables"])
      EXPECT_LE(t["scroll"].get<int>(), t["client"].get<int>()) << "table " << t.dump();
    // The fix experiment's finding is an improvement, in green.
    bool fixed = false;
    for (const auto& f : m["improvements"]) {
      const std::string text = f["text"].get<std::string>();
      if (text.find("listing [rank:50]") == std::string::npos ||
          text.find("listing_index") == std::string::npos)
        continue;
      fixed = true;
      EXPECT_EQ(f["kind"], "improvement");
      EXPECT_NE(f["cls"].get<std::string>().find("improvement"), std::string::npos);
      EXPECT_EQ(f["color"], "rgb(26, 127, 55)") << f.dump();
    }
    EXPECT_TRUE(fixed) << "no improvement finding for listing_index: " << m["improvements"];
    for (const auto& f : m["headline"]) {
      const std::string text = f["text"].get<std::string>();
      if (text.find("listing [rank:50]") != std::string::npos &&
          text.find("listing_index at production") != std::string::npos)
        ADD_FAILURE() << "the fix at production is listed as a problem: " << f.dump();
    }
  }

  static fs::path* dir_;
  static std::string* schema_;
  static testing::CommandResult* explain_;
};
fs::path* ShopReport::dir_ = nullptr;
std::string* ShopReport::schema_ = nullptr;
testing::CommandResult* ShopReport::explain_ = nullptr;

// One test for both widths and the terminal: ctest runs each test in its own
// process, and the sweep behind them takes a minute.
TEST_F(ShopReport, BrowserAndTerminalLeadWithTheRegression) {
  ASSERT_EQ(explain_->exit_code, 0) << explain_->err;
  for (int width : {900, 1400}) {
    SCOPED_TRACE(std::to_string(width) + " px");
    check_layout(width);
  }
  const std::string& out = explain_->out;
  EXPECT_EQ(
      out.rfind("regression   listing [rank:50], test (12K rows) → production (340K rows)", 0), 0u)
      << out;
  EXPECT_NE(out.find("improved"), std::string::npos) << out;
  // Every line of the findings and the table fits COLUMNS=80; the file paths after
  // them are printed whole.
  std::istringstream lines(out.substr(0, out.find("\nreport: ")));
  std::string line;
  while (std::getline(lines, line)) {
    size_t cols = 0;
    for (unsigned char c : line) cols += (c & 0xC0) != 0x80;
    EXPECT_LE(cols, 80u) << line;
  }
  // summary.json is named for what it is, and the plans for what opens them.
  EXPECT_NE(out.find("not a plan"), std::string::npos) << out;
  EXPECT_TRUE(fs::exists(*dir_ / "capture" / "plans"));
}

}  // namespace
}  // namespace pgshape
