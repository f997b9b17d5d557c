// What `pgshape load` shows while it runs (issue #17): on a real terminal (tmux)
// a live line per phase, never wider than the terminal, with COPY's rate and
// the index phase seen while it ran; in a pipe plain start/done lines without
// carriage returns or escape codes; -v adds a line per table and per index;
// -q prints nothing.
#include <gtest/gtest.h>
#include <unistd.h>

#include <chrono>
#include <filesystem>
#include <fstream>
#include <regex>
#include <string>
#include <thread>
#include <vector>

#include "test_server.hpp"

namespace pgshape {
namespace {

namespace fs = std::filesystem;

// A parent and a child table with five indexes on the child: with --jobs 1 and
// a few 100k rows the index phase takes a visible moment. A long child name
// makes the live lines wider than the terminal unless they are clipped.
fs::path write_profile(int64_t items, const std::string& child = "items") {
  const fs::path path = fs::temp_directory_path() / (testing::unique_name("progress") + ".yaml");
  std::ofstream(path) << "name: progress\nscales: { s: 1 }\ntables:\n"
                         "  parents:\n    rows: 2000\n    columns:\n"
                         "      id: { type: bigint, primary_key: true, dist: sequence }\n"
                         "      name: { type: text, dist: words, wordlist: product }\n"
                         "  "
                      << child << ":\n    rows: " << items
                      << "\n    columns:\n"
                         "      id: { type: bigint, primary_key: true, dist: sequence }\n"
                         "      parent_id: { type: bigint, ref: parents.id, dist: uniform }\n"
                         "      label: { type: text, dist: words, wordlist: lorem, min_words: 2, "
                         "max_words: 6 }\n"
                         "      code: { type: varchar(16), dist: pattern, pattern: "
                         "\"CD-?\?-######\" }\n"
                         "      created_at: { type: timestamptz, dist: uniform, min: "
                         "\"2017-01-01\", max: \"2024-06-01\" }\n"
                         "    indexes:\n"
                         "      - { name: items_label_idx, columns: [label] }\n"
                         "      - { name: items_code_idx, columns: [code] }\n"
                         "      - { name: items_created_idx, columns: [created_at] }\n"
                         "      - { name: items_parent_created_idx, columns: [parent_id, "
                         "created_at] }\n"
                         "      - { name: items_label_code_idx, columns: [label, code] }\n";
  return path;
}

struct RemoveFile {
  fs::path path;
  ~RemoveFile() { fs::remove_all(path); }
};

std::string shell_quote(const std::string& s) {
  std::string out = "'";
  for (char c : s) out += c == '\'' ? std::string("'\\''") : std::string(1, c);
  return out + "'";
}

size_t columns(const std::string& line) {
  size_t n = 0;
  for (unsigned char c : line) n += (c & 0xC0) != 0x80;
  return n;
}

std::vector<std::string> lines_of(const std::string& text) {
  std::vector<std::string> lines;
  size_t start = 0;
  for (size_t end; (end = text.find('\n', start)) != std::string::npos; start = end + 1)
    lines.push_back(text.substr(start, end - start));
  if (start < text.size()) lines.push_back(text.substr(start));
  return lines;
}

// A tmux server of its own (private socket), killed when the test ends.
class Tmux {
 public:
  Tmux() : socket_(testing::unique_name("pgshape_progress")) {}
  ~Tmux() { run({"kill-server"}); }
  testing::CommandResult run(std::vector<std::string> args) const {
    args.insert(args.begin(), {"tmux", "-L", socket_, "-f", "/dev/null"});
    return testing::run_command(args, "/");
  }

 private:
  std::string socket_;
};

// Runs `pgshape load` in a detached tmux pane of `width` x 30 (stdout to a
// file), polling what the pane shows until it exits. Returns every snapshot,
// the last one after exit.
std::vector<std::string> load_in_tmux(const fs::path& profile, size_t width, int& exit_code) {
  const Tmux tmux;
  const fs::path dir = fs::temp_directory_path() / testing::unique_name("progress_tty");
  fs::create_directories(dir);
  const RemoveFile cleanup{dir};
  const fs::path done = dir / "exit";
  std::string command = "unset COLUMNS; export LANG=C.UTF-8 LC_ALL=C.UTF-8 TERM=screen; exec ";
  command += shell_quote(PGSHAPE_BIN);
  for (const std::string& arg :
       {std::string("load"), profile.string(), std::string("--dsn"), testing::test_dsn(),
        std::string("--schema"), testing::unique_name("progress_tty"), std::string("--jobs"),
        std::string("1")}) {
    command += ' ';
    command += shell_quote(arg);
  }
  // The result table goes to a file: the pane shows stderr, the progress, alone.
  command += " > " + shell_quote((dir / "stdout").string());
  std::ofstream(dir / "run.sh") << "(" << command << ")\necho $? > " << shell_quote(done.string())
                                << ".tmp && mv " << shell_quote(done.string() + ".tmp") << " "
                                << shell_quote(done.string()) << "\nsleep 600\n";
  const auto started = tmux.run({"new-session", "-d", "-x", std::to_string(width), "-y", "30", "-s",
                                 "load", "sh", (dir / "run.sh").string()});
  EXPECT_EQ(started.exit_code, 0) << started.err;
  std::vector<std::string> snapshots;
  const auto deadline = std::chrono::steady_clock::now() + std::chrono::minutes(5);
  while (std::chrono::steady_clock::now() < deadline) {
    const bool exited = fs::exists(done);
    // -J joins lines the terminal wrapped: a line too wide shows as too wide.
    const auto pane = tmux.run({"capture-pane", "-p", "-J", "-t", "load"});
    if (pane.exit_code == 0) snapshots.push_back(pane.out);
    if (exited) break;
    std::this_thread::sleep_for(std::chrono::milliseconds(20));
  }
  exit_code = fs::exists(done) ? std::stoi(testing::read_all(done)) : -1;
  return snapshots;
}

TEST(LoadProgress, OnATerminalEveryPhaseHasALiveLineWithinTheWidth) {
  const auto version = testing::run_command({"tmux", "-V"}, "/");
  ASSERT_EQ(version.exit_code, 0) << "tmux is needed for this test (scripts/setup.sh installs it): "
                                  << version.err;
  const RemoveFile profile{
      write_profile(300'000, "items_of_a_progress_test_whose_name_is_long_enough_to_clip")};
  for (size_t width : {80, 120}) {
    int exit_code = -1;
    const auto snapshots = load_in_tmux(profile.path, width, exit_code);
    ASSERT_EQ(exit_code, 0) << (snapshots.empty() ? "" : snapshots.back());
    ASSERT_FALSE(snapshots.empty());
    bool copy_rate_seen = false, indexes_seen = false;
    const std::regex copy_live(R"(^  copy +\d+%  [\d,]+/[\d,]+ rows  \S+ rows/s)");
    const std::regex indexes_live(R"(^  indexes \d+/7  \w+_(idx|pkey))");
    for (const auto& snapshot : snapshots)
      for (const auto& line : lines_of(snapshot)) {
        EXPECT_LE(columns(line), width) << "at " << width << " columns:\n" << snapshot;
        copy_rate_seen = copy_rate_seen || std::regex_search(line, copy_live);
        indexes_seen = indexes_seen || std::regex_search(line, indexes_live);
      }
    EXPECT_TRUE(copy_rate_seen) << "no live COPY line with rows/s in " << snapshots.size()
                                << " snapshots; the last:\n"
                                << snapshots.back();
    EXPECT_TRUE(indexes_seen) << "no live index line in " << snapshots.size()
                              << " snapshots; the last:\n"
                              << snapshots.back();
    // What stays on the screen: a summary per phase.
    const std::string& last = snapshots.back();
    for (const char* summary : {"\u2713 copy 302,000 rows in ", "\u2713 indexes 7/7 in ",
                                "\u2713 keys 3/3 constraints in ", "\u2713 analyze 2/2 tables in ",
                                "\u2713 validate 1/1 foreign keys in ", "\u2713 swap into schema "})
      EXPECT_NE(last.find(summary), std::string::npos) << summary << " missing:\n" << last;
  }
}

class LoadOutput : public ::testing::Test {
 protected:
  static void SetUpTestSuite() { profile_ = new RemoveFile{write_profile(5'000)}; }
  static void TearDownTestSuite() { delete profile_; }
  static testing::CommandResult load(const std::vector<std::string>& extra) {
    std::vector<std::string> args = {"load",     profile_->path.string(),
                                     "--dsn",    testing::test_dsn(),
                                     "--schema", testing::unique_name("progress_out")};
    args.insert(args.end(), extra.begin(), extra.end());
    return testing::run_pgshape(args);
  }
  static RemoveFile* profile_;
};
RemoveFile* LoadOutput::profile_ = nullptr;

TEST_F(LoadOutput, InAPipeEachPhaseSaysWhenItStartsAndEndsWithNoEscapes) {
  const auto r = load({});
  ASSERT_EQ(r.exit_code, 0) << r.err;
  for (const char* line :
       {"copy: started at ", "copy: done, 2/2 tables, 7,000 rows in ", "indexes: started at ",
        "indexes: done, 7/7 in ", "keys: started at ", "keys: done, 3/3 constraints in ",
        "analyze: started at ", "analyze: done, 2/2 tables in ", "validate: started at ",
        "validate: done, 1/1 foreign keys in ", "swap: started at ", "swap: done, into schema "})
    EXPECT_NE(r.err.find(line), std::string::npos) << line << " missing:\n" << r.err;
  for (const std::string* text : {&r.out, &r.err}) {
    EXPECT_EQ(text->find('\r'), std::string::npos) << *text;
    EXPECT_EQ(text->find('\x1b'), std::string::npos) << *text;
  }
}

TEST_F(LoadOutput, VerboseAddsALinePerTableAndPerIndexOrConstraint) {
  const auto normal = load({});
  const auto verbose = load({"-v"});
  ASSERT_EQ(normal.exit_code, 0) << normal.err;
  ASSERT_EQ(verbose.exit_code, 0) << verbose.err;
  for (const std::regex& line :
       {std::regex(R"(\n    copied items: 5,000 rows \([\d.]+ MB\) in [\d.]+ s\n)"),
        std::regex(R"(\n    copied parents: 2,000 rows )"),
        std::regex(R"(\n    built index items_label_code_idx in [\d.]+ s\n)"),
        std::regex(R"(\n    added items_pkey in [\d.]+ s\n)"),
        std::regex(R"(\n    added items_parent_id_fkey in [\d.]+ s\n)"),
        std::regex(R"(\n    validated items_parent_id_fkey in [\d.]+ s\n)"),
        std::regex(R"(\n    analyzed parents in [\d.]+ s\n)")}) {
    EXPECT_TRUE(std::regex_search(verbose.err, line)) << verbose.err;
    EXPECT_FALSE(std::regex_search(normal.err, line)) << normal.err;
  }
}

TEST_F(LoadOutput, QuietPrintsNothingOnSuccess) {
  const auto r = load({"-q"});
  EXPECT_EQ(r.exit_code, 0) << r.err;
  EXPECT_EQ(r.out, "");
  EXPECT_EQ(r.err, "");
}

TEST(ExplainProgress, EachScalePointsLoadShowsItsPhases) {
  const fs::path out = fs::temp_directory_path() / testing::unique_name("progress_explain");
  const RemoveFile cleanup{out};
  const auto r =
      testing::run_pgshape({"explain", "profiles/shop.yaml", "--scales", "test", "--runs", "1",
                            "--dsn", testing::test_dsn(), "--schema",
                            testing::unique_name("progress_explain"), "--out", out.string()});
  ASSERT_EQ(r.exit_code, 0) << r.err;
  const auto loading = r.err.find("loading scale test");
  const auto copied = r.err.find("copy: done, 5/5 tables, ");
  const auto swapped = r.err.find("swap: done, into schema ");
  const auto capturing = r.err.find("capturing plans at scale test");
  ASSERT_NE(copied, std::string::npos) << r.err;
  ASSERT_NE(swapped, std::string::npos) << r.err;
  EXPECT_LT(loading, copied) << r.err;
  EXPECT_LT(swapped, capturing) << r.err;
  EXPECT_NE(capturing, std::string::npos) << r.err;
}

}  // namespace
}  // namespace pgshape
