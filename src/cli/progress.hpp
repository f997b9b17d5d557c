// A load's progress (LoadProgress events) on stderr, for load, explain and
// refresh. Owns nothing of the load: it only turns events into text.
//
//  - live (stderr is a terminal): one line per running phase, redrawn in place
//    at most ten times a second, each clipped to the terminal's width; a phase
//    that ends leaves a summary line (✓ copy 340,000 rows in 2.1 s (...));
//  - plain (a pipe, a CI log): a line as each phase starts and as it ends, with
//    its counts and times; no carriage return, no escape code;
//  - verbose (-v), either way: also a line per table copied and per index or
//    constraint built, with its time.
// Names from the database are printed with control characters replaced, so a
// table called "a\x1b[2J" cannot drive the terminal.
#pragma once

#include <array>
#include <chrono>
#include <condition_variable>
#include <cstddef>
#include <cstdio>
#include <functional>
#include <mutex>
#include <string>
#include <string_view>
#include <thread>
#include <vector>

#include "pgshape/load.hpp"

namespace pgshape::cli {

// `line` cut to at most `width` terminal columns (a UTF-8 sequence is one
// column and is never split), control characters shown as '?'.
std::string clip_to_width(std::string_view line, size_t width);

// The width to draw in for terminal `fd`: $COLUMNS when a positive number, else
// the terminal's (TIOCGWINSZ), else 100.
size_t terminal_width(int fd);

// True when LC_ALL, else LC_CTYPE, else LANG names a UTF-8 locale.
bool utf8_locale();

// 0.04 -> "0.04 s", 2.14 -> "2.1 s", 75 -> "1m15s", 4000 -> "1h06m".
std::string format_seconds(double seconds);
// Per second, short: 850 -> "850", 1530 -> "1.5k", 160400 -> "160k", 2.5e6 -> "2.5M".
std::string format_rate(double per_second);
// Bytes per second in MB (10^6): "45 MB/s", "3.2 MB/s".
std::string format_mb_rate(double bytes_per_second);

struct ProgressStyle {
  bool live = false;   // a terminal: redraw in place (else plain lines)
  size_t width = 100;  // live only: columns each line is clipped to
  bool verbose = false;
  bool utf8 = true;  // live only: "✓" for a finished phase (else "ok")
};

// Turns events into the text to write; `now` is seconds on any steady clock.
// Not thread-safe (ProgressPrinter serialises).
class ProgressView {
 public:
  explicit ProgressView(ProgressStyle style) : style_(style) {}
  std::string feed(const LoadProgress& p, double now);
  // Live only: the running phases redrawn when the last draw is 0.1 s old.
  std::string tick(double now);
  // Erases the live lines (the load ended or failed): what follows starts clean.
  std::string close();
  // The terminal was resized: the next redraw clips to `width`.
  void set_width(size_t width) { style_.width = width; }

 private:
  struct Phase {
    bool started = false;
    bool finished = false;
    double start = 0;
    int64_t done = 0;
    int64_t total = 0;
    std::vector<std::string> running;  // objects started and not finished, in start order
  };
  std::string summary(LoadPhase phase, const LoadProgress& p, double now) const;
  std::string plain_start(LoadPhase phase, double now) const;
  std::string verbose_line(const LoadProgress& p) const;
  std::string live_line(LoadPhase phase, double now) const;
  std::string redraw(const std::vector<std::string>& lasting, double now);

  ProgressStyle style_;
  std::array<Phase, kLoadPhaseCount> phases_{};
  double first_ = -1;  // the first event's time
  int64_t all_done_ = 0, all_total_ = 0;
  uint64_t all_bytes_ = 0;
  std::string copying_;    // the table that last reported rows
  size_t live_lines_ = 0;  // drawn below the cursor's line, to erase on redraw
  double drawn_at_ = -1;
};

// A ProgressView writing to a stream, with a thread that redraws live lines
// ten times a second (times and ETA move while one index builds for seconds),
// at the terminal's width of the moment (a narrower window must not wrap them:
// the redraw would then climb too few lines).
// callback() is what LoadOptions::on_progress takes; the destructor erases
// the live lines, so an error printed after a failed load starts clean.
class ProgressPrinter {
 public:
  ProgressPrinter(ProgressStyle style, std::FILE* out);
  ~ProgressPrinter();
  ProgressPrinter(const ProgressPrinter&) = delete;
  ProgressPrinter& operator=(const ProgressPrinter&) = delete;
  std::function<void(const LoadProgress&)> callback();
  // Stops redrawing and erases the live lines (also done by the destructor).
  void finish();

 private:
  void write(const std::string& text);
  double now() const;

  ProgressView view_;
  std::FILE* out_;
  std::chrono::steady_clock::time_point t0_ = std::chrono::steady_clock::now();
  std::mutex mutex_;
  std::condition_variable wake_;
  bool stop_ = false;
  std::thread ticker_;
};

// The style for stderr at `verbosity` (1 default, 2 -v): live on a terminal.
ProgressStyle stderr_progress_style(int verbosity);

}  // namespace pgshape::cli
