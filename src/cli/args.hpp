// The command line of one pgshape command, parsed from the option table
// (include/pgshape/app.hpp): CLI11 is registered from the table and nothing
// else, values are checked against the table (ranges, choices, seeds) before any
// work starts, and unknown names get "did you mean".
#pragma once

#include <cstdint>
#include <map>
#include <optional>
#include <string>
#include <vector>

#include "pgshape/app.hpp"

namespace pgshape::cli {

// The values given for one command. Reading an option the command does not take
// in the table is a bug (InternalError): the table is the truth.
class Args {
 public:
  explicit Args(const CommandSpec& command) : command_(&command) {}
  const CommandSpec& command() const { return *command_; }

  bool given(Opt id) const;
  bool flag(Opt id) const;
  // The value, or the table's default parsed (numbers) / "" (text) when not given.
  std::string text(Opt id) const;               // kText and kChoice: the last value given wins
  std::vector<std::string> list(Opt id) const;  // kList: every value, comma lists split
  // The value when given at all (also ""), nullopt when not: `--dsn ""` means
  // libpq's defaults, no --dsn means "look further".
  std::optional<std::string> given_text(Opt id) const;
  std::vector<std::string> values(Opt id) const;  // kText given repeatedly: every value, as given
  std::optional<int64_t> integer(Opt id) const;
  std::optional<double> number(Opt id) const;
  std::optional<uint64_t> seed() const;
  // 0 with -q, 2 with -v, else 1.
  int verbosity() const;

  // Registration and checking (args.cpp).
  struct Slot {
    std::vector<std::string> values;
    std::vector<std::string> alias_values;  // given under a hidden old spelling
    int64_t count = 0;                      // flags: times given
  };
  Slot& slot(Opt id) { return slots_[id]; }
  // Checks every given value against the table; throws UsageError naming the flag.
  void check() const;

 private:
  const OptionUse& use(Opt id) const;
  const Slot* find(Opt id) const;
  const CommandSpec* command_;
  std::map<Opt, Slot> slots_;  // node-based: CLI11 keeps pointers into it while parsing
};

// Parses `words` (what follows the command's name) for `command`. Throws
// UsageError: usage.unknown-option (with the closest name), usage.unexpected-argument,
// usage.missing-argument, usage.bad-option.
Args parse_args(const CommandSpec& command, const std::vector<std::string>& words);

// True when `words` ask for help (-h, --help) before any "--".
bool wants_help(const std::vector<std::string>& words);

// The closest command name to `word`, or "".
std::string closest_command(const std::string& word);

}  // namespace pgshape::cli
