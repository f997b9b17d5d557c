// The load's progress renderer (src/cli/progress.hpp) fed events with made-up
// times: what a user reads on a terminal and in a CI log, and that no line is
// wider than the terminal. No server, no terminal: the output is text.
#include <gtest/gtest.h>

#include <cstdlib>
#include <optional>
#include <regex>
#include <string>
#include <vector>

#include "cli/progress.hpp"

namespace pgshape::cli {
namespace {

LoadProgress event(LoadProgress::Event kind, LoadPhase phase, std::string object, int64_t done,
                   int64_t total) {
  LoadProgress p;
  p.event = kind;
  p.phase = phase;
  p.object = std::move(object);
  p.done = done;
  p.total = total;
  p.all_total = 1'000'000;
  return p;
}

// The lines a terminal would end up showing, roughly: escape sequences
// dropped, split at line feeds and carriage returns.
std::vector<std::string> screen_lines(const std::string& text) {
  const std::string plain = std::regex_replace(text, std::regex("\x1b\\[[0-9;]*[A-Za-z]"), "");
  std::vector<std::string> lines;
  std::string line;
  for (char c : plain) {
    if (c == '\n' || c == '\r') {
      if (!line.empty()) lines.push_back(line);
      line.clear();
    } else {
      line += c;
    }
  }
  if (!line.empty()) lines.push_back(line);
  return lines;
}

size_t columns(const std::string& line) {
  size_t n = 0;
  for (unsigned char c : line) n += (c & 0xC0) != 0x80;
  return n;
}

// One load: two tables copied, three indexes, ANALYZE, the swap.
std::string run_load(ProgressView& view) {
  std::string out;
  using E = LoadProgress::Event;
  auto feed = [&](LoadProgress p, double now, int64_t rows = 0, uint64_t bytes = 0) {
    p.all_done = rows;
    p.all_bytes = bytes;
    out += view.feed(p, now);
  };
  feed(event(E::kStarted, LoadPhase::kCopy, "orders", 0, 2), 0);
  feed(event(E::kStarted, LoadPhase::kCopy, "order_items_with_a_very_long_name", 0, 2), 0);
  LoadProgress rows = event(E::kRows, LoadPhase::kCopy, "", 0, 2);
  rows.table = "order_items_with_a_very_long_name";
  feed(rows, 1.0, 500'000, 50'000'000);
  out += "<mark>";
  LoadProgress copied = event(E::kFinished, LoadPhase::kCopy, "orders", 1, 2);
  copied.rows = 200'000;
  copied.bytes = 20'000'000;
  copied.seconds = 1.2;
  feed(copied, 1.2, 600'000, 60'000'000);
  feed(event(E::kStarted, LoadPhase::kIndexes, "orders_created_at_status_idx", 0, 3), 1.3, 600'000,
       60'000'000);
  out += view.tick(1.5);
  out += "<mark>";
  copied.object = "order_items_with_a_very_long_name";
  copied.done = 2;
  copied.rows = 800'000;
  feed(copied, 2.0, 1'000'000, 100'000'000);
  for (int i = 0; i < 3; ++i) {
    if (i > 0) feed(event(E::kStarted, LoadPhase::kIndexes, "idx" + std::to_string(i), i, 3), 2.1);
    LoadProgress built =
        event(E::kFinished, LoadPhase::kIndexes,
              i == 0 ? "orders_created_at_status_idx" : "idx" + std::to_string(i), i + 1, 3);
    built.seconds = 0.25;
    feed(built, 2.2 + i * 0.1, 1'000'000, 100'000'000);
  }
  feed(event(E::kStarted, LoadPhase::kAnalyze, "orders", 0, 1), 2.5);
  feed(event(E::kFinished, LoadPhase::kAnalyze, "orders", 1, 1), 2.6);
  feed(event(E::kStarted, LoadPhase::kSwap, "shop", 0, 1), 2.7);
  feed(event(E::kFinished, LoadPhase::kSwap, "shop", 1, 1), 2.72);
  return out + view.close();
}

TEST(ProgressView, LiveLinesShowRatesEtaAndObjectsAndStayWithinTheWidth) {
  for (size_t width : {40, 80, 120}) {
    ProgressView view({.live = true, .width = width, .verbose = false, .utf8 = true});
    const std::string out = run_load(view);
    for (const auto& line : screen_lines(out))
      EXPECT_LE(columns(line), width - 1) << "width " << width << ": " << line;
    if (width < 80) continue;
    const std::string during_copy = out.substr(0, out.find("<mark>"));
    EXPECT_NE(
        during_copy.find("copy  50%  500,000/1,000,000 rows  500k rows/s  50 MB/s  ETA 1.0 s"),
        std::string::npos)
        << during_copy;
    const std::string mid =
        out.substr(out.find("<mark>"), out.rfind("<mark>") - out.find("<mark>"));
    EXPECT_NE(mid.find("  indexes 0/3  orders_created_at_status_idx"), std::string::npos) << mid;
    EXPECT_NE(out.find("\u2713 copy 1,000,000 rows in 2.0 s (500k rows/s, 50 MB/s)"),
              std::string::npos)
        << out;
    EXPECT_NE(out.find("\u2713 indexes 3/3 in 1.1 s"), std::string::npos) << out;
    EXPECT_NE(out.find("\u2713 analyze 1/1 tables in 0.10 s"), std::string::npos) << out;
    EXPECT_NE(out.find("\u2713 swap into schema shop in 0.02 s"), std::string::npos) << out;
  }
}

TEST(ProgressView, LiveWithoutUtf8MarksFinishedPhasesInAscii) {
  ProgressView view({.live = true, .width = 100, .verbose = false, .utf8 = false});
  const std::string out = run_load(view);
  EXPECT_NE(out.find("ok copy 1,000,000 rows"), std::string::npos) << out;
  for (unsigned char c : out) EXPECT_LT(c, 0x80) << out;
}

TEST(ProgressView, ClosingErasesTheLiveLinesOfAnUnfinishedLoad) {
  ProgressView view({.live = true, .width = 80});
  LoadProgress p = event(LoadProgress::Event::kStarted, LoadPhase::kIndexes, "i", 0, 2);
  const std::string drawn = view.feed(p, 0);
  EXPECT_NE(drawn.find("indexes 0/2  i"), std::string::npos) << drawn;
  EXPECT_EQ(view.close(), "\x1b[1A\r\x1b[J");
  EXPECT_EQ(view.close(), "");
}

TEST(ProgressView, PlainOutputHasAStartAndADoneLinePerPhaseAndNoEscapes) {
  ProgressView view({.live = false, .width = 100, .verbose = false});
  const std::string out = run_load(view);
  EXPECT_EQ(out.find('\r'), std::string::npos) << out;
  EXPECT_EQ(out.find('\x1b'), std::string::npos) << out;
  std::string plain = out;
  for (auto pos = plain.find("<mark>"); pos != std::string::npos; pos = plain.find("<mark>"))
    plain.erase(pos, 6);
  EXPECT_EQ(plain,
            "copy: started at 0.00 s, 2 tables, 1,000,000 rows\n"
            "indexes: started at 1.3 s, 3 indexes\n"
            "copy: done, 2/2 tables, 1,000,000 rows in 2.0 s (500k rows/s, 50 MB/s)\n"
            "indexes: done, 3/3 in 1.1 s\n"
            "analyze: started at 2.5 s, 1 table\n"
            "analyze: done, 1/1 tables in 0.10 s\n"
            "swap: started at 2.7 s, 1 schema\n"
            "swap: done, into schema shop in 0.02 s\n");
}

TEST(ProgressView, VerboseAddsALinePerTableAndPerIndex) {
  ProgressView quiet({.live = false});
  ProgressView verbose({.live = false, .verbose = true});
  const std::string a = run_load(quiet);
  const std::string b = run_load(verbose);
  for (const char* line : {"    copied orders: 200,000 rows (20.0 MB) in 1.2 s\n",
                           "    built index orders_created_at_status_idx in 0.25 s\n",
                           "    analyzed orders in 0.00 s\n"}) {
    EXPECT_EQ(a.find(line), std::string::npos) << line;
    EXPECT_NE(b.find(line), std::string::npos) << line << b;
  }
}

TEST(ProgressView, NamesCannotWriteControlCharactersToTheTerminal) {
  for (bool live : {true, false}) {
    ProgressView view({.live = live, .width = 80, .verbose = true});
    LoadProgress p = event(LoadProgress::Event::kStarted, LoadPhase::kAnalyze, "t\x1b[2J\n", 0, 1);
    std::string out = view.feed(p, 0);
    p.event = LoadProgress::Event::kFinished;
    p.done = 1;
    out += view.feed(p, 0.5) + view.close();
    EXPECT_EQ(out.find("\x1b[2J"), std::string::npos) << out;
    EXPECT_NE(out.find("analyzed t?[2J? in"), std::string::npos) << out;
  }
}

TEST(ProgressFormat, ClipCountsColumnsNotBytesAndNeverSplitsACharacter) {
  EXPECT_EQ(clip_to_width("abcdef", 4), "abcd");
  EXPECT_EQ(clip_to_width("abc", 10), "abc");
  EXPECT_EQ(clip_to_width("\u2713 copy", 3), "\u2713 c");
  EXPECT_EQ(clip_to_width("h\u00e9llo", 2), "h\u00e9");
  EXPECT_EQ(clip_to_width("a\tb\x7f", 10), "a?b?");
  EXPECT_EQ(clip_to_width("abc", 0), "");
}

TEST(ProgressFormat, SecondsRatesAndMegabytes) {
  EXPECT_EQ(format_seconds(0.041), "0.04 s");
  EXPECT_EQ(format_seconds(2.14), "2.1 s");
  EXPECT_EQ(format_seconds(75), "1m15s");
  EXPECT_EQ(format_seconds(4000), "1h06m");
  EXPECT_EQ(format_seconds(-1), "0.00 s");
  EXPECT_EQ(format_rate(850), "850");
  EXPECT_EQ(format_rate(1530), "1.5k");
  EXPECT_EQ(format_rate(160'400), "160k");
  EXPECT_EQ(format_rate(2.5e6), "2.5M");
  EXPECT_EQ(format_mb_rate(45.2e6), "45 MB/s");
  EXPECT_EQ(format_mb_rate(3.24e6), "3.2 MB/s");
}

// Sets an environment variable for one scope, restoring what was there.
class ScopedEnv {
 public:
  ScopedEnv(const char* name, const char* value) : name_(name) {
    if (const char* old = std::getenv(name)) old_ = old;
    if (value)
      setenv(name, value, 1);
    else
      unsetenv(name);
  }
  ~ScopedEnv() {
    if (old_)
      setenv(name_, old_->c_str(), 1);
    else
      unsetenv(name_);
  }

 private:
  const char* name_;
  std::optional<std::string> old_;
};

TEST(ProgressFormat, TerminalWidthIsColumnsElseTheTerminalsElse100) {
  const int not_a_terminal = -1;
  {
    ScopedEnv columns("COLUMNS", "57");
    EXPECT_EQ(terminal_width(not_a_terminal), 57u);
  }
  for (const char* junk : {"", "abc", "0", "-3", "12x"}) {
    ScopedEnv columns("COLUMNS", junk);
    EXPECT_EQ(terminal_width(not_a_terminal), 100u) << junk;
  }
}

TEST(ProgressFormat, Utf8LocaleFollowsLcAllThenLcCtypeThenLang) {
  ScopedEnv all("LC_ALL", nullptr), ctype("LC_CTYPE", nullptr), lang("LANG", "en_US.UTF-8");
  EXPECT_TRUE(utf8_locale());
  {
    ScopedEnv c("LC_CTYPE", "C");
    EXPECT_FALSE(utf8_locale());
    ScopedEnv a("LC_ALL", "C.utf8");
    EXPECT_TRUE(utf8_locale());
  }
  ScopedEnv none("LANG", nullptr);
  EXPECT_FALSE(utf8_locale());
}

}  // namespace
}  // namespace pgshape::cli
