// `pgshape reference` and `--help`: documentation generated from the option
// table (option_table.cpp), kErrorCodes (error.hpp) and the profile key table —
// so help, README, man page and the parser can never disagree.
#include <fmt/format.h>
#include <algorithm>

#include "pgshape/app.hpp"
#include "pgshape/error.hpp"
#include "pgshape/profile.hpp"

namespace pgshape {
namespace {

constexpr std::string_view kTagline =
    "production-shaped synthetic data for PostgreSQL, and its query plans";

// Splits `text` into lines of at most `width` characters at spaces.
std::vector<std::string> wrap(std::string_view text, size_t width) {
  std::vector<std::string> lines;
  std::string line;
  size_t start = 0;
  while (start < text.size()) {
    size_t end = text.find(' ', start);
    if (end == std::string_view::npos) end = text.size();
    const std::string_view word = text.substr(start, end - start);
    if (!line.empty() && line.size() + 1 + word.size() > width) {
      lines.push_back(line);
      line.clear();
    }
    // Appends, not operator+: GCC 12 at -O3 warns (-Wrestrict) on the latter.
    if (!line.empty()) line.append(" ");
    line.append(word);
    start = end + 1;
  }
  if (!line.empty() || lines.empty()) lines.push_back(line);
  return lines;
}

// "--scale NAME", "-t, --table NAME"; a positional is its name.
std::string flag_words(const ResolvedOption& o, std::string_view separator = ", ") {
  std::string names;
  for (const auto& name : split_list(o.spec->names))
    names += (names.empty() ? "" : std::string(separator)) + name;
  if (o.spec->positional() || o.spec->kind == ValueKind::kFlag) return names;
  return names + " " + std::string(o.value_name);
}

// What a value may be, said after the help: "binary or text", "1 to 64".
std::string allowed(const ResolvedOption& o) {
  if (!o.choices.empty()) {
    const std::vector<std::string> values = split_list(o.choices);
    std::string list;
    for (size_t i = 0; i < values.size(); ++i)
      list += (i == 0 ? "" : i + 1 == values.size() ? " or " : ", ") + values[i];
    return (o.spec->kind == ValueKind::kList ? "any of " : "") + list;
  }
  if (o.spec->kind == ValueKind::kInteger) return fmt::format("{} to {}", o.spec->min, o.spec->max);
  if (o.spec->kind == ValueKind::kSeed) return "0 to 2^64-1";
  return "";
}

std::string described(const ResolvedOption& o) {
  std::string text(o.help);
  if (const std::string values = allowed(o); !values.empty()) text += " (" + values + ")";
  if (o.required && !o.spec->positional()) text += " (required)";
  if (!o.default_text.empty()) text += " (default: " + std::string(o.default_text) + ")";
  return text;
}

std::string synopsis(const CommandSpec& command) {
  std::string text = "pgshape ";
  text.append(command.name);
  for (const auto& use : command.options) {
    const ResolvedOption o = resolve(command, use);
    if (o.spec->positional())  // an optional one (fidelity's PROFILE) in brackets
      text.append(o.required ? " " : " [").append(o.spec->names).append(o.required ? "" : "]");
    else if (o.required)
      text.append(" ").append(o.spec->long_name()).append(" ").append(o.value_name);
  }
  return text.append(" [options]");
}

// A table cell: pipes escaped, and "<table>" kept as text rather than read as HTML.
std::string markdown_cell(std::string_view text) {
  std::string out;
  for (char c : text) {
    if (c == '|')
      out += "\\|";
    else if (c == '<')
      out += "&lt;";
    else if (c == '>')
      out += "&gt;";
    else
      out += c;
  }
  return out;
}

// roff: backslashes and hyphens escaped, no line starting with a control character.
std::string roff(std::string_view text) {
  std::string out;
  for (char c : text) {
    if (c == '\\')
      out += "\\e";
    else if (c == '-')
      out += "\\-";
    else
      out += c;
  }
  if (!out.empty() && (out.front() == '.' || out.front() == '\'')) out.insert(0, "\\&");
  return out;
}

}  // namespace

std::string usage_text() {
  std::string text =
      fmt::format("pgshape: {}\n\nusage: pgshape COMMAND [options]\n\ncommands:\n", kTagline);
  for (const auto& c : command_specs()) {
    const auto lines = wrap(c.summary, 66);
    text += fmt::format("  {:<12}{}\n", c.name, lines.front());
    for (size_t i = 1; i < lines.size(); ++i) text += fmt::format("  {:<12}{}\n", "", lines[i]);
  }
  text +=
      "\nother:\n"
      "  help [COMMAND]  this text, or a command's options\n"
      "  --version       print pgshape's version\n"
      "\n'pgshape COMMAND --help' lists the options of COMMAND.\n";
  return text;
}

std::string command_help(const CommandSpec& command) {
  std::string args, opts;
  for (const auto& use : command.options) {
    const ResolvedOption o = resolve(command, use);
    const std::string words = flag_words(o);
    const auto lines = wrap(described(o), 78 - 26);
    std::string entry;
    if (words.size() <= 22) {
      entry = fmt::format("  {:<24}{}\n", words, lines.front());
    } else {
      entry = fmt::format("  {}\n{:<26}{}\n", words, "", lines.front());
    }
    for (size_t i = 1; i < lines.size(); ++i) entry += fmt::format("{:<26}{}\n", "", lines[i]);
    (o.spec->positional() ? args : opts) += entry;
  }
  std::string text = fmt::format("usage: {}\n\n", synopsis(command));
  for (const auto& line : wrap(command.summary, 78)) text += line + "\n";
  if (!args.empty()) text += "\narguments:\n" + args;
  if (!opts.empty()) text += "\noptions:\n" + opts;
  return text;
}

std::string command_reference_markdown() {
  std::string text =
      "Every command takes `-h`/`--help`, which lists exactly the options below. An option's "
      "value may follow as the next word or after `=` (`--scale=test`).\n";
  for (const auto& command : command_specs()) {
    text += fmt::format("\n#### `{}`\n\n{}\n\n| option | meaning | default |\n|---|---|---|\n",
                        synopsis(command), command.summary);
    for (const auto& use : command.options) {
      if (use.id == Opt::kHelp) continue;
      const ResolvedOption o = resolve(command, use);
      std::string meaning(o.help);
      if (const std::string values = allowed(o); !values.empty()) meaning += " (" + values + ")";
      const std::string fallback = o.required               ? "required"
                                   : o.default_text.empty() ? ""
                                                            : std::string(o.default_text);
      text += fmt::format("| `{}` | {} | {} |\n", flag_words(o), markdown_cell(meaning),
                          markdown_cell(fallback));
    }
  }
  return text;
}

std::string error_codes_markdown() {
  std::string text = "| code | exit | meaning |\n|---|---|---|\n";
  for (const auto& info : kErrorCodes)
    text += fmt::format("| `{}` | {} | {} |\n", info.code, static_cast<int>(info.exit),
                        markdown_cell(std::string(info.meaning)));
  return text;
}

std::string man_page() {
  std::string text = fmt::format(
      ".\\\" Generated by `pgshape reference --man` from pgshape's option table.\n"
      ".TH PGSHAPE 1 \"\" \"pgshape {}\" \"User Commands\"\n"
      ".SH NAME\npgshape \\- {}\n"
      ".SH SYNOPSIS\n.B pgshape\n.I command\n[\\fIoptions\\fR]\n.br\n.B pgshape help\n"
      "[\\fIcommand\\fR]\n"
      ".SH DESCRIPTION\n"
      "pgshape fills PostgreSQL with production-shaped synthetic data described by a YAML "
      "profile, deterministic per seed; captures EXPLAIN (ANALYZE, BUFFERS) plans at several "
      "scale points and reports where a plan changed shape; and mirrors production from its "
      "planner statistics.\n"
      ".PP\nData goes where libpq would connect, first match wins: \\fB\\-\\-dsn\\fR when "
      "given (\\fB\\-\\-dsn ''\\fR is libpq's defaults), else \\fBDATABASE_URL\\fR, else "
      "libpq's defaults when a PG* variable names a server or database (see ENVIRONMENT). "
      "With none of them pgshape starts its own embedded, throwaway PostgreSQL from the locally "
      "installed server binaries, which no PG* variable steers. Every command that writes "
      "names the database it wrote (host:port/dbname).\n"
      ".SH COMMANDS\n",
      PGSHAPE_VERSION, roff(kTagline));
  for (const auto& command : command_specs()) {
    text += fmt::format(".SS \"{}\"\n{}\n", roff(synopsis(command)), roff(command.summary));
    for (const auto& use : command.options) {
      const ResolvedOption o = resolve(command, use);
      text += fmt::format(".TP\n.B {}\n{}\n", roff(flag_words(o)), roff(described(o)));
    }
  }
  text += ".SH EXIT STATUS\n";
  for (auto [code, meaning] : {std::pair{0, "success"},
                               {1,
                                "a runtime failure: database error, lost connection, a file "
                                "that could not be written"},
                               {2, "a bad profile or bad usage; nothing was touched"},
                               {3, "a gate tripped: --fail-on, --min-score or --min-fidelity"}})
    text += fmt::format(".TP\n.B {}\n{}\n", code, roff(meaning));
  text += ".SH ERRORS\nEvery error has a stable code, also in \\fB\\-\\-json\\fR output:\n";
  for (const auto& info : kErrorCodes)
    text += fmt::format(".TP\n.B {}\n{} (exit {})\n", roff(info.code), roff(info.meaning),
                        static_cast<int>(info.exit));
  text +=
      ".SH ENVIRONMENT\n.TP\n.B DATABASE_URL\nthe target database when \\fB\\-\\-dsn\\fR is "
      "not given\n"
      ".TP\n.B PGHOST, PGHOSTADDR, PGPORT, PGDATABASE, PGUSER, PGSERVICE\n"
      "with no \\fB\\-\\-dsn\\fR and no \\fBDATABASE_URL\\fR, any of these makes the "
      "target libpq's defaults, as for psql (PGSERVICEFILE says where services are defined)\n"
      ".TP\n.B PGPASSWORD, PGPASSFILE, PGSSLMODE, PGOPTIONS, ...\n"
      "honoured by libpq when connecting, but they say how to connect, not where: alone they do "
      "not replace the embedded server\n"
      ".TP\n.B PGOPTIONS, PGCLIENTENCODING, PGDATESTYLE, PGTZ\n"
      "cannot change what pgshape reads or writes: its sessions pin the settings its SQL relies "
      "on after the user's options (README, Session settings); a --source keeps the user's "
      "lock_timeout\n"
      ".TP\n.B NO_COLOR\nno colours in terminal tables\n"
      ".SH SEE ALSO\n.BR psql (1),\n.BR pg_dump (1),\n.BR pgbench (1)\n";
  return text;
}

std::string reference_text(ReferenceTopic topic) {
  switch (topic) {
    case ReferenceTopic::kProfile:
      return profile_reference_markdown();
    case ReferenceTopic::kCommands:
      return command_reference_markdown();
    case ReferenceTopic::kErrors:
      return error_codes_markdown();
    case ReferenceTopic::kMan:
      return man_page();
    case ReferenceTopic::kBash:
    case ReferenceTopic::kZsh:
      return completion_script(topic);
  }
  throw InternalError("reference_text: unknown topic");
}

}  // namespace pgshape
