// Small pieces several commands share: the --shard K/N syntax and whether
// stdout takes colours.
#include <sys/ioctl.h>
#include <unistd.h>

#include <fmt/format.h>
#include <cstdio>
#include <cstdlib>

#include "commands.hpp"
#include "pgshape/error.hpp"

namespace pgshape::cli {

ShardSpec parse_shard(const std::string& text) {
  ShardSpec spec;
  char slash = 0;
  int consumed = 0;
  if (std::sscanf(text.c_str(), "%d%c%d%n", &spec.index, &slash, &spec.count, &consumed) != 3 ||
      slash != '/' || consumed != static_cast<int>(text.size()) || spec.count < 1 ||
      spec.index < 1 || spec.index > spec.count)
    throw UsageError("usage.bad-option",
                     fmt::format("--shard '{}' is not K/N with 1 <= K <= N", text),
                     "e.g. --shard 2/8 for the second of eight slices");
  --spec.index;
  return spec;
}

bool color_stdout() {
  return isatty(STDOUT_FILENO) && std::getenv("NO_COLOR") == nullptr;
}

size_t terminal_width() {
  // COLUMNS first: it is what a user sets to ask for a width, and what a pipe has.
  if (const char* env = std::getenv("COLUMNS")) {
    char* end = nullptr;
    long n = std::strtol(env, &end, 10);
    if (end != env && *end == '\0' && n > 0 && n < 100'000) return static_cast<size_t>(n);
  }
  winsize ws{};
  if (ioctl(STDOUT_FILENO, TIOCGWINSZ, &ws) == 0 && ws.ws_col > 0) return ws.ws_col;
  return 100;
}

}  // namespace pgshape::cli
