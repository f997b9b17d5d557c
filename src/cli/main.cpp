// pgshape's entry point: find the command, parse its flags from the option table,
// run it, and turn every error into a message (text, or JSON with --json) and its
// documented exit code. This is the only place that catches.
#include <fmt/format.h>
#include <string>
#include <vector>

#include "args.hpp"
#include "commands.hpp"
#include "errors.hpp"
#include "pgshape/app.hpp"
#include "pgshape/error.hpp"
#include "pgshape/util.hpp"

namespace pgshape::cli {
namespace {

[[noreturn]] void unknown_command(const std::string& word) {
  const std::string close = closest_command(word);
  throw UsageError("usage.unknown-command", fmt::format("unknown command '{}'", word),
                   (close.empty() ? "" : fmt::format("did you mean '{}'? ", close)) +
                       "'pgshape help' lists the commands");
}

// A flag before any command: --help and --version are pgshape's own; any other
// is a typo of those, or a command's flag given too early.
[[noreturn]] void unknown_top_level_option(const std::string& word) {
  const std::string name = word.substr(0, word.find('='));
  std::string hint;
  if (const std::string close = closest_match(name, {"--help", "--version"}); !close.empty())
    hint = fmt::format("did you mean '{}'? ", close);
  for (const auto& spec : option_specs())
    for (const auto& n : split_list(spec.names))
      if (n == name && hint.empty())
        hint = fmt::format(
            "{} is a command's option: give it after the command "
            "(pgshape COMMAND {} ...). ",
            name, name);
  throw UsageError("usage.unknown-option", fmt::format("unknown option '{}'", name),
                   hint + "'pgshape help' lists the commands");
}

int help(const std::vector<std::string>& words) {
  if (words.size() == 1) {
    fmt::print("{}", usage_text());
    return 0;
  }
  if (words.size() > 2)
    throw UsageError("usage.unexpected-argument",
                     fmt::format("help: unexpected argument '{}'", words[2]),
                     "pgshape help [COMMAND]");
  const CommandSpec* command = find_command(words[1]);
  if (!command) unknown_command(words[1]);
  fmt::print("{}", command_help(*command));
  return 0;
}

int dispatch(const Args& args) {
  switch (args.command().id) {
    case Cmd::kValidate:
      return run_validate_command(args);
    case Cmd::kLoad:
      return run_load_command(args);
    case Cmd::kExplain:
      return run_explain_command(args);
    case Cmd::kCompare:
      return run_compare_command(args);
    case Cmd::kGenerate:
      return run_generate_command(args);
    case Cmd::kStats:
      return run_stats_command(args);
    case Cmd::kRefresh:
      return run_refresh_command(args);
    case Cmd::kParams:
      return run_params_command(args);
    case Cmd::kWorkload:
      return run_workload_command(args);
    case Cmd::kReference:
      return run_reference_command(args);
    case Cmd::kFidelity:
      return run_fidelity_command(args);
  }
  throw InternalError("dispatch: a command without a run function");
}

int run(const std::vector<std::string>& words) {
  if (words.empty() || words[0] == "-h" || words[0] == "--help") {
    fmt::print("{}", usage_text());
    return 0;
  }
  if (words[0] == "--version") {
    fmt::print("pgshape {}\n", PGSHAPE_VERSION);
    return 0;
  }
  if (words[0] == "help") return help(words);
  if (words[0].size() > 1 && words[0].front() == '-') unknown_top_level_option(words[0]);
  const CommandSpec* command = find_command(words[0]);
  if (!command) unknown_command(words[0]);
  const std::vector<std::string> rest(words.begin() + 1, words.end());
  if (wants_help(rest)) {
    fmt::print("{}", command_help(*command));
    return 0;
  }
  return dispatch(parse_args(*command, rest));
}

// --json asks for errors as JSON too; they go to stdout unless the rows do
// (generate --out -).
ErrorOutput error_output(const std::vector<std::string>& words) {
  ErrorOutput out;
  const CommandSpec* command = words.empty() ? nullptr : find_command(words[0]);
  if (!command || !find_use(*command, Opt::kJson)) return out;
  bool rows_on_stdout = false;
  for (size_t i = 1; i < words.size() && words[i] != "--"; ++i) {
    if (words[i] == "--json") out.json = true;
    const bool out_flag = words[i] == "-o" || words[i] == "--out";
    if ((out_flag && i + 1 < words.size() && words[i + 1] == "-") || words[i] == "--out=-" ||
        words[i] == "-o-")
      rows_on_stdout = true;
  }
  out.stream = rows_on_stdout ? stderr : stdout;
  return out;
}

}  // namespace
}  // namespace pgshape::cli

int main(int argc, char** argv) {
  using namespace pgshape;
  const std::vector<std::string> words(argv + 1, argv + argc);
  const cli::ErrorOutput out = cli::error_output(words);
  try {
    return cli::run(words);
  } catch (const ProfileError& e) {
    return cli::render_error(e, out);
  } catch (const Error& e) {
    return cli::render_error(e, out);
  } catch (const InternalError& e) {
    return cli::render_internal_error(e, out);
  } catch (const std::exception& e) {
    return cli::render_unexpected_error(e, out);
  }
}
