#include "progress.hpp"

#include <sys/ioctl.h>
#include <unistd.h>

#include <fmt/format.h>
#include <algorithm>
#include <cctype>
#include <condition_variable>
#include <cstdlib>

#include "format.hpp"
#include "pgshape/util.hpp"

namespace pgshape::cli {

std::string clip_to_width(std::string_view line, size_t width) {
  std::string out;
  size_t columns = 0;
  for (size_t i = 0; i < line.size();) {
    const auto c = static_cast<unsigned char>(line[i]);
    size_t length = 1;  // bytes of this character
    if (c >= 0xC0) {
      length = c >= 0xF0 ? 4 : c >= 0xE0 ? 3 : 2;
      if (i + length > line.size()) length = line.size() - i;
    }
    if (columns + 1 > width) break;
    ++columns;
    if (c < 0x20 || c == 0x7F || (c >= 0x80 && c < 0xC0))
      out += '?';  // a control character, or a stray continuation byte
    else
      out.append(line.substr(i, length));
    i += length;
  }
  return out;
}

size_t terminal_width(int fd) {
  if (const char* columns = std::getenv("COLUMNS"); columns && *columns) {
    char* end = nullptr;
    const long value = std::strtol(columns, &end, 10);
    if (*end == '\0' && value > 0 && value < 10'000) return static_cast<size_t>(value);
  }
  winsize size{};
  if (ioctl(fd, TIOCGWINSZ, &size) == 0 && size.ws_col > 0) return size.ws_col;
  return 100;
}

bool utf8_locale() {
  const char* value = nullptr;
  for (const char* name : {"LC_ALL", "LC_CTYPE", "LANG"})
    if (const char* v = std::getenv(name); v && *v) {
      value = v;
      break;
    }
  if (!value) return false;
  std::string lower(value);
  for (char& c : lower) c = static_cast<char>(std::tolower(static_cast<unsigned char>(c)));
  return lower.find("utf-8") != std::string::npos || lower.find("utf8") != std::string::npos;
}

std::string format_seconds(double seconds) {
  seconds = std::max(0.0, seconds);
  if (seconds < 1) return fmt::format("{:.2f} s", seconds);
  if (seconds < 60) return fmt::format("{:.1f} s", seconds);
  const auto whole = static_cast<int64_t>(seconds + 0.5);
  if (whole < 3600) return fmt::format("{}m{:02}s", whole / 60, whole % 60);
  return fmt::format("{}h{:02}m", whole / 3600, whole / 60 % 60);
}

std::string format_rate(double per_second) {
  if (per_second >= 1e6) return fmt::format("{:.1f}M", per_second / 1e6);
  if (per_second >= 1e4) return fmt::format("{:.0f}k", per_second / 1e3);
  if (per_second >= 1e3) return fmt::format("{:.1f}k", per_second / 1e3);
  return fmt::format("{:.0f}", std::max(0.0, per_second));
}

std::string format_mb_rate(double bytes_per_second) {
  const double mb = std::max(0.0, bytes_per_second) / 1e6;
  return mb >= 10 ? fmt::format("{:.0f} MB/s", mb) : fmt::format("{:.1f} MB/s", mb);
}

namespace {

constexpr double kRedrawSeconds = 0.1;

std::string_view phase_name(LoadPhase phase) {
  switch (phase) {
    case LoadPhase::kCopy:
      return "copy";
    case LoadPhase::kIndexes:
      return "indexes";
    case LoadPhase::kKeys:
      return "keys";
    case LoadPhase::kAnalyze:
      return "analyze";
    case LoadPhase::kValidate:
      return "validate";
    case LoadPhase::kSwap:
      return "swap";
  }
  return "?";
}

// What a phase counts, after "n/m": "" when the phase's name says it.
std::string_view unit_noun(LoadPhase phase) {
  switch (phase) {
    case LoadPhase::kCopy:
      return " tables";
    case LoadPhase::kKeys:
      return " constraints";
    case LoadPhase::kAnalyze:
      return " tables";
    case LoadPhase::kValidate:
      return " foreign keys";
    default:
      return "";
  }
}

// `n` of what `phase` counts: "3 indexes", "1 table".
std::string counted(LoadPhase phase, int64_t n) {
  switch (phase) {
    case LoadPhase::kCopy:
      return plural(n, "table");
    case LoadPhase::kIndexes:
      return plural(n, "index", "indexes");
    case LoadPhase::kKeys:
      return plural(n, "constraint");
    case LoadPhase::kAnalyze:
      return plural(n, "table");
    case LoadPhase::kValidate:
      return plural(n, "foreign key");
    case LoadPhase::kSwap:
      return plural(n, "schema");
  }
  return std::to_string(n);
}

// Where a data name goes into plain output: control characters shown as '?'.
std::string printable(std::string_view text) {
  return clip_to_width(text, text.size());
}

}  // namespace

std::string ProgressView::summary(LoadPhase phase, const LoadProgress& p, double now) const {
  const Phase& ph = phases_[static_cast<size_t>(phase)];
  const double seconds = now - ph.start;
  const std::string took = format_seconds(seconds);
  std::string body;
  if (phase == LoadPhase::kCopy) {
    const double s = std::max(seconds, 1e-6);
    body = fmt::format("{} rows in {} ({} rows/s, {})", thousands(all_done_), took,
                       format_rate(static_cast<double>(all_done_) / s),
                       format_mb_rate(static_cast<double>(all_bytes_) / s));
    if (!style_.live) body = fmt::format("{}/{}{}, {}", ph.done, ph.total, unit_noun(phase), body);
  } else if (phase == LoadPhase::kSwap) {
    body = fmt::format("into schema {} in {}", printable(p.object), took);
  } else {
    body = fmt::format("{}/{}{} in {}", ph.done, ph.total, unit_noun(phase), took);
  }
  if (!style_.live) return fmt::format("{}: done, {}", phase_name(phase), body);
  return fmt::format("{} {} {}", style_.utf8 ? "\u2713" : "ok", phase_name(phase), body);
}

std::string ProgressView::plain_start(LoadPhase phase, double now) const {
  std::string counts = counted(phase, phases_[static_cast<size_t>(phase)].total);
  if (phase == LoadPhase::kCopy) counts += fmt::format(", {} rows", thousands(all_total_));
  return fmt::format("{}: started at {}, {}", phase_name(phase), format_seconds(now - first_),
                     counts);
}

std::string ProgressView::verbose_line(const LoadProgress& p) const {
  const std::string object = printable(p.object);
  const std::string took = format_seconds(p.seconds);
  switch (p.phase) {
    case LoadPhase::kCopy:
      return fmt::format("    copied {}: {} rows ({:.1f} MB) in {}", object, thousands(p.rows),
                         static_cast<double>(p.bytes) / 1e6, took);
    case LoadPhase::kIndexes:
      return fmt::format("    built index {} in {}", object, took);
    case LoadPhase::kKeys:
      return fmt::format("    added {} in {}", object, took);
    case LoadPhase::kAnalyze:
      return fmt::format("    analyzed {} in {}", object, took);
    case LoadPhase::kValidate:
      return fmt::format("    validated {} in {}", object, took);
    case LoadPhase::kSwap:
      return {};
  }
  return {};
}

std::string ProgressView::live_line(LoadPhase phase, double now) const {
  const Phase& ph = phases_[static_cast<size_t>(phase)];
  const double elapsed = now - ph.start;
  if (phase == LoadPhase::kCopy) {
    const double fraction =
        all_total_ > 0 ? static_cast<double>(all_done_) / static_cast<double>(all_total_) : 0;
    std::string line = fmt::format("  copy {:3.0f}%  {}/{} rows", fraction * 100,
                                   thousands(all_done_), thousands(all_total_));
    if (all_done_ > 0 && elapsed > 0.05) {
      const double rate = static_cast<double>(all_done_) / elapsed;
      line += fmt::format("  {} rows/s  {}  ETA {}", format_rate(rate),
                          format_mb_rate(static_cast<double>(all_bytes_) / elapsed),
                          format_seconds(static_cast<double>(all_total_ - all_done_) / rate));
    }
    if (!copying_.empty()) line += "  " + copying_;
    return line;
  }
  std::string line = fmt::format("  {} {}/{}", phase_name(phase), ph.done, ph.total);
  if (!ph.running.empty()) {
    line += "  " + ph.running.back();
    if (ph.running.size() > 1) line += fmt::format(" (+{} more)", ph.running.size() - 1);
  }
  return line + "  " + format_seconds(elapsed);
}

std::string ProgressView::redraw(const std::vector<std::string>& lasting, double now) {
  // The last column stays empty: some terminals wrap as soon as it is written.
  const size_t width = std::max<size_t>(style_.width, 2) - 1;
  std::string out = live_lines_ > 0 ? fmt::format("\x1b[{}A", live_lines_) : std::string();
  // Each line overwrites the one drawn there before, then clears what is left of it.
  auto put = [&](const std::string& line) {
    out += '\r';
    out += clip_to_width(line, width);
    out += "\x1b[K\n";
  };
  for (const auto& line : lasting) put(line);
  live_lines_ = 0;
  for (size_t i = 0; i < kLoadPhaseCount; ++i) {
    if (!phases_[i].started || phases_[i].finished) continue;
    put(live_line(static_cast<LoadPhase>(i), now));
    ++live_lines_;
  }
  out += "\r\x1b[J";  // lines drawn last time and not now
  drawn_at_ = now;
  return out;
}

std::string ProgressView::feed(const LoadProgress& p, double now) {
  if (first_ < 0) first_ = now;
  all_done_ = std::max(all_done_, p.all_done);
  all_total_ = p.all_total;
  all_bytes_ = std::max(all_bytes_, p.all_bytes);
  Phase& ph = phases_[static_cast<size_t>(p.phase)];
  ph.total = p.total;
  std::vector<std::string> lasting;
  switch (p.event) {
    case LoadProgress::Event::kRows:
      copying_ = printable(p.table);
      break;
    case LoadProgress::Event::kStarted:
      if (!ph.started) {
        ph.started = true;
        ph.start = now;
        if (!style_.live) lasting.push_back(plain_start(p.phase, now));
      }
      ph.running.push_back(printable(p.object));
      ph.done = std::max(ph.done, p.done);
      break;
    case LoadProgress::Event::kFinished: {
      const std::string object = printable(p.object);
      if (auto it = std::find(ph.running.begin(), ph.running.end(), object); it != ph.running.end())
        ph.running.erase(it);
      ph.done = std::max(ph.done, p.done);
      if (style_.verbose && p.phase != LoadPhase::kSwap) lasting.push_back(verbose_line(p));
      if (ph.done >= ph.total && !ph.finished) {
        ph.finished = true;
        lasting.push_back(summary(p.phase, p, now));
      }
      break;
    }
  }
  if (!style_.live) {
    std::string out;
    for (const auto& line : lasting) out += line + "\n";
    return out;
  }
  if (lasting.empty() && now - drawn_at_ < kRedrawSeconds) return {};
  return redraw(lasting, now);
}

std::string ProgressView::tick(double now) {
  if (!style_.live || live_lines_ == 0 || now - drawn_at_ < kRedrawSeconds) return {};
  return redraw({}, now);
}

std::string ProgressView::close() {
  if (live_lines_ == 0) return {};
  const std::string out = fmt::format("\x1b[{}A\r\x1b[J", live_lines_);
  live_lines_ = 0;
  return out;
}

ProgressPrinter::ProgressPrinter(ProgressStyle style, std::FILE* out) : view_(style), out_(out) {
  if (style.live)
    ticker_ = std::thread([this] {
      std::unique_lock lock(mutex_);
      while (!stop_) {
        wake_.wait_for(lock, std::chrono::milliseconds(100));
        if (stop_) break;
        view_.set_width(terminal_width(fileno(out_)));
        write(view_.tick(now()));
      }
    });
}

ProgressPrinter::~ProgressPrinter() {
  finish();
}

void ProgressPrinter::finish() {
  {
    std::lock_guard lock(mutex_);
    if (stop_) return;
    stop_ = true;
    write(view_.close());
  }
  wake_.notify_all();
  if (ticker_.joinable()) ticker_.join();
}

std::function<void(const LoadProgress&)> ProgressPrinter::callback() {
  return [this](const LoadProgress& p) {
    std::lock_guard lock(mutex_);
    if (!stop_) write(view_.feed(p, now()));
  };
}

void ProgressPrinter::write(const std::string& text) {
  if (text.empty()) return;
  std::fwrite(text.data(), 1, text.size(), out_);
  std::fflush(out_);
}

double ProgressPrinter::now() const {
  return std::chrono::duration<double>(std::chrono::steady_clock::now() - t0_).count();
}

ProgressStyle stderr_progress_style(int verbosity) {
  const char* term = std::getenv("TERM");
  const bool live = isatty(STDERR_FILENO) && !(term && std::string_view(term) == "dumb");
  return {.live = live,
          .width = live ? terminal_width(STDERR_FILENO) : 100,
          .verbose = verbosity > 1,
          .utf8 = utf8_locale()};
}

}  // namespace pgshape::cli
