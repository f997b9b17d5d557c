// Parsing one command's flags from the option table with CLI11, and checking
// every value against the table before anything runs.
#include "args.hpp"

#include <fmt/format.h>
#include <CLI/CLI.hpp>
#include <algorithm>
#include <cctype>
#include <charconv>
#include <cmath>
#include <cstdlib>

#include "pgshape/error.hpp"
#include "pgshape/util.hpp"

namespace pgshape::cli {
namespace {

std::string lower(std::string_view text) {
  std::string out(text);
  for (char& c : out) c = static_cast<char>(std::tolower(static_cast<unsigned char>(c)));
  return out;
}

std::string help_hint(const CommandSpec& command) {
  return fmt::format("'pgshape {} --help' lists its arguments and options", command.name);
}

std::string shown(const OptionSpec& spec) {
  return spec.positional() ? std::string(spec.names) : std::string(spec.long_name());
}

[[noreturn]] void bad_value(const ResolvedOption& o, const std::string& value, std::string what) {
  throw UsageError("usage.bad-option",
                   fmt::format("{} '{}' is not {}", shown(*o.spec), value, std::move(what)),
                   fmt::format("{}: {}", shown(*o.spec), o.help));
}

void check_value(const ResolvedOption& o, const std::string& value) {
  switch (o.spec->kind) {
    case ValueKind::kInteger: {
      int64_t n = 0;
      const auto [end, ec] = std::from_chars(value.data(), value.data() + value.size(), n);
      if (ec != std::errc() || end != value.data() + value.size() || n < o.spec->min ||
          n > o.spec->max)
        bad_value(o, value, fmt::format("a whole number from {} to {}", o.spec->min, o.spec->max));
      return;
    }
    case ValueKind::kNumber: {
      char* end = nullptr;
      const double x = value.empty() ? NAN : std::strtod(value.c_str(), &end);
      if (!std::isfinite(x) || *end != '\0' || x < o.spec->min_number || x > o.spec->max_number)
        bad_value(
            o, value,
            fmt::format("a number from {:g} to {:g}", o.spec->min_number, o.spec->max_number));
      return;
    }
    case ValueKind::kSeed: {
      // Digits only: "-1" and "1e3" are refused, never wrapped or truncated.
      uint64_t n = 0;
      const bool digits =
          !value.empty() && value.find_first_not_of("0123456789") == std::string::npos;
      const auto [end, ec] = std::from_chars(value.data(), value.data() + value.size(), n);
      if (!digits || ec != std::errc() || end != value.data() + value.size())
        bad_value(o, value, "a whole number from 0 to 18446744073709551615 (2^64 - 1)");
      return;
    }
    case ValueKind::kChoice:
    case ValueKind::kList: {
      if (o.choices.empty()) return;
      for (const auto& item :
           o.spec->kind == ValueKind::kList ? split_list(value) : std::vector<std::string>{value}) {
        const std::vector<std::string> choices = split_list(o.choices);
        if (std::find(choices.begin(), choices.end(), item) != choices.end()) continue;
        std::vector<std::string_view> names(choices.begin(), choices.end());
        const std::string close = closest_match(item, names);
        throw UsageError(
            "usage.bad-option",
            fmt::format("{}: unknown {} '{}'", shown(*o.spec), lower(o.value_name), item),
            (close.empty() ? "" : fmt::format("did you mean '{}'? ", close)) +
                "one of: " + std::string(o.choices));
      }
      return;
    }
    case ValueKind::kFlag:
    case ValueKind::kText:
      return;
  }
}

void add_to(CLI::App& app, const CommandSpec& command, const OptionUse& use, Args& args,
            bool last_positional) {
  const ResolvedOption o = resolve(command, use);
  Args::Slot& slot = args.slot(use.id);
  const std::string names(o.spec->names);
  if (o.spec->kind == ValueKind::kFlag) {
    app.add_flag_function(
        names, [&slot](int64_t n) { slot.count += n; }, std::string(o.help));
  } else if (o.spec->positional()) {
    // The last positional takes every extra word, so that an unknown option's
    // value lands here, not in a CLI11 error: check_positionals() refuses extras
    // after unknown options have been named.
    if (last_positional)
      app.add_option(names, slot.values, std::string(o.help));
    else
      app.add_option_function<std::string>(
          names, [&slot](const std::string& value) { slot.values.push_back(value); },
          std::string(o.help));
  } else {
    // One value per occurrence: `-t a PROFILE` leaves PROFILE alone.
    app.add_option(names, slot.values, std::string(o.help))->allow_extra_args(false);
  }
  for (const auto& alias : split_list(o.spec->aliases)) {
    if (o.spec->kind == ValueKind::kFlag)
      app.add_flag_function(alias, [&slot](int64_t n) { slot.count += n; })->group("");
    else
      app.add_option(alias, slot.alias_values)->allow_extra_args(false)->group("");
  }
}

// Every name `command` answers to, and each other command's flag names.
std::vector<std::string> names_for(const CommandSpec& command) {
  std::vector<std::string> names;
  for (const auto& use : command.options) {
    const OptionSpec& spec = option_spec(use.id);
    if (spec.positional()) continue;
    for (auto& n : split_list(spec.names)) names.push_back(std::move(n));
  }
  return names;
}

[[noreturn]] void unknown_option(const CommandSpec& command, const std::string& word) {
  const std::string name = word.substr(0, word.find('='));
  const std::vector<std::string> own = names_for(command);
  std::string hint;
  std::vector<std::string_view> candidates(own.begin(), own.end());
  std::string close = closest_match(name, candidates);
  // A renamed flag: `stats --schema` is `--source-schema` (--schema is always a target).
  for (const auto& n : own)
    if (close.empty() && name.size() > 3 && n.size() > name.size() &&
        n.compare(n.size() - (name.size() - 2), std::string::npos, name, 2) == 0 &&
        n[n.size() - (name.size() - 2) - 1] == '-')
      close = n;
  if (!close.empty()) hint = fmt::format("did you mean '{}'? ", close);
  std::string others;
  for (const auto& c : command_specs()) {
    const std::vector<std::string> theirs = names_for(c);
    if (std::find(theirs.begin(), theirs.end(), name) != theirs.end())
      others += (others.empty() ? "" : ", ") + std::string(c.name);
  }
  if (!others.empty()) hint += fmt::format("{} is an option of: {}. ", name, others);
  throw UsageError("usage.unknown-option",
                   fmt::format("{}: unknown option '{}'", command.name, name),
                   hint + help_hint(command));
}

[[noreturn]] void unexpected(const CommandSpec& command, const std::string& word) {
  throw UsageError("usage.unexpected-argument",
                   fmt::format("{}: unexpected argument '{}'", command.name, word),
                   help_hint(command));
}

void check_required(const CommandSpec& command, const Args& args) {
  for (const auto& use : command.options) {
    if (!use.required || args.given(use.id)) continue;
    const ResolvedOption o = resolve(command, use);
    const std::string what =
        o.spec->positional() ? fmt::format("the {} argument is missing", o.spec->names)
                             : fmt::format("{} {} is required", o.spec->long_name(), o.value_name);
    throw UsageError("usage.missing-argument", fmt::format("{}: {}", command.name, what),
                     help_hint(command));
  }
}

}  // namespace

const OptionUse& Args::use(Opt id) const {
  if (const OptionUse* u = find_use(*command_, id)) return *u;
  throw InternalError(
      fmt::format("pgshape {} reads option {} that its row in the option table "
                  "does not list",
                  command_->name, option_spec(id).names));
}

const Args::Slot* Args::find(Opt id) const {
  use(id);
  const auto it = slots_.find(id);
  return it == slots_.end() ? nullptr : &it->second;
}

bool Args::given(Opt id) const {
  const Slot* s = find(id);
  return s && (s->count > 0 || !s->values.empty() || !s->alias_values.empty());
}

bool Args::flag(Opt id) const {
  const Slot* s = find(id);
  return s && s->count > 0;
}

std::string Args::text(Opt id) const {
  const Slot* s = find(id);
  if (!s) return "";
  if (!s->values.empty()) return s->values.back();
  return s->alias_values.empty() ? "" : s->alias_values.back();
}

std::vector<std::string> Args::list(Opt id) const {
  std::vector<std::string> out;
  if (const Slot* s = find(id))
    for (const auto* values : {&s->alias_values, &s->values})
      for (const auto& v : *values)
        for (auto& item : split_list(v)) out.push_back(std::move(item));
  return out;
}

std::optional<std::string> Args::given_text(Opt id) const {
  if (!given(id)) return std::nullopt;
  return text(id);
}

std::vector<std::string> Args::values(Opt id) const {
  std::vector<std::string> out;
  if (const Slot* s = find(id))
    for (const auto* given : {&s->alias_values, &s->values})
      out.insert(out.end(), given->begin(), given->end());
  return out;
}

std::optional<int64_t> Args::integer(Opt id) const {
  if (!given(id)) return std::nullopt;
  return std::stoll(text(id));  // checked by check()
}

std::optional<double> Args::number(Opt id) const {
  if (!given(id)) return std::nullopt;
  return std::strtod(text(id).c_str(), nullptr);
}

std::optional<uint64_t> Args::seed() const {
  if (!given(Opt::kSeed)) return std::nullopt;
  return std::stoull(text(Opt::kSeed));
}

int Args::verbosity() const {
  const bool quiet = find_use(*command_, Opt::kQuiet) && flag(Opt::kQuiet);
  const bool verbose = find_use(*command_, Opt::kVerbose) && flag(Opt::kVerbose);
  return quiet ? 0 : verbose ? 2 : 1;
}

void Args::check() const {
  if (find_use(*command_, Opt::kQuiet) && find_use(*command_, Opt::kVerbose) && flag(Opt::kQuiet) &&
      flag(Opt::kVerbose))
    throw UsageError("usage.bad-option", "-q/--quiet and -v/--verbose contradict each other",
                     "give one of them");
  for (const auto& use : command_->options) {
    const auto it = slots_.find(use.id);
    if (it == slots_.end()) continue;
    const ResolvedOption o = resolve(*command_, use);
    for (const auto* values : {&it->second.alias_values, &it->second.values})
      for (const auto& v : *values) check_value(o, v);
  }
}

Args parse_args(const CommandSpec& command, const std::vector<std::string>& words) {
  Args args(command);
  CLI::App app{std::string(command.summary), "pgshape " + std::string(command.name)};
  app.set_help_flag();  // help comes from the table (app.hpp's command_help)
  app.allow_extras();   // unknown names are ours to explain, with "did you mean"
  const OptionUse* last = nullptr;
  for (const auto& use : command.options)
    if (option_spec(use.id).positional()) last = &use;
  for (const auto& use : command.options)
    if (use.id != Opt::kHelp) add_to(app, command, use, args, &use == last);
  std::vector<std::string> reversed(words.rbegin(), words.rend());
  try {
    app.parse(reversed);
  } catch (const CLI::ParseError& e) {
    throw UsageError("usage.missing-argument", fmt::format("{}: {}", command.name, e.what()),
                     help_hint(command));
  }
  const std::vector<std::string> extras = app.remaining();
  for (const auto& extra : extras)
    if (extra.size() > 1 && extra.front() == '-') unknown_option(command, extra);
  for (const auto& use : command.options) {
    if (!option_spec(use.id).positional()) continue;
    const auto& values = args.slot(use.id).values;
    if (values.size() > 1) unexpected(command, values[1]);
  }
  if (!extras.empty()) unexpected(command, extras.front());
  check_required(command, args);
  args.check();
  return args;
}

bool wants_help(const std::vector<std::string>& words) {
  for (const auto& w : words) {
    if (w == "--") return false;
    if (w == "-h" || w == "--help") return true;
  }
  return false;
}

std::string closest_command(const std::string& word) {
  std::vector<std::string_view> names;
  for (const auto& c : command_specs()) names.push_back(c.name);
  names.push_back("help");
  return closest_match(word, names);
}

}  // namespace pgshape::cli
