// Small pieces several commands share: the --shard K/N syntax, whether stdout
// takes colours, how wide the terminal is, and how a command says where it wrote.
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

std::string where_phrase(const TargetInfo& target, const std::string& schema) {
  if (!target.embedded) return fmt::format("into {} on {}", schema, target.place.to_string());
  if (target.kept)
    return fmt::format("into {} on an embedded server, kept running at {}", schema,
                       target.place.to_string());
  return fmt::format("into {} on an embedded server, deleted at exit — use --keep to keep it",
                     schema);
}

nlohmann::json target_json(const TargetInfo& target) {
  nlohmann::json out = {{"embedded", target.embedded},
                        {"kept", target.kept},
                        {"source", std::string(to_string(target.source))},
                        {"host", target.place.host},
                        {"port", target.place.port},
                        {"dbname", target.place.dbname},
                        {"user", target.place.user},
                        {"where", target.place.to_string()}};
  if (target.kept) {
    out["dsn"] = target.dsn;
    out["uri"] = target.uri;
  }
  return out;
}

void print_kept_server(const TargetInfo& target) {
  if (!target.kept) return;
  // Both spellings: libpq tools take either, DATABASE_URL users expect a URI.
  fmt::print(stderr, "embedded server kept running:\n  conninfo: {}\n  URI:      {}\n{}\n",
             redact_dsn(target.dsn), redact_dsn(target.uri), target.connect_hint);
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
