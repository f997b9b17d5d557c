// pgshape stats --source DSN: a profile from a database's planner statistics.
// Reads catalogs only, in a read-only session; writes the profile to -o or stdout.
#include <fmt/format.h>
#include <filesystem>
#include <fstream>
#include <sstream>

#include "commands.hpp"
#include "pgshape/error.hpp"
#include "pgshape/stats.hpp"

namespace pgshape::cli {
namespace {

struct StatsCommand {
  std::string source;
  std::string schema = "public";
  std::string tables;
  bool redact = false;
  std::string output;
  std::string name;
  double test_fraction = 0.01;
};

std::vector<std::string> split_list(const std::string& text) {
  std::vector<std::string> out;
  std::stringstream in(text);
  std::string item;
  while (std::getline(in, item, ','))
    if (!item.empty()) out.push_back(item);
  return out;
}

}  // namespace

void add_stats_command(CLI::App& app, GlobalOptions& global, Action& action) {
  auto* command = app.add_subcommand(
      "stats", "write a profile from a database's planner statistics (never its rows)");
  auto options = std::make_shared<StatsCommand>();
  command
      ->add_option("--source", options->source,
                   "the database to read statistics from (libpq DSN or URI)")
      ->required();
  command->add_option("--schema", options->schema, "the schema to import (default: public)");
  command->add_option("--tables", options->tables, "only these tables, comma-separated");
  command->add_flag("--redact", options->redact,
                    "replace text values in MCVs, histograms and index predicates by tokens of "
                    "the same width");
  command->add_option("-o,--output", options->output, "write the profile here (default: stdout)");
  command->add_option("--name", options->name,
                      "the profile's name and default target schema (default: the output file's "
                      "name, else <database>_mirror)");
  command
      ->add_option("--test-fraction", options->test_fraction,
                   "rows of the 'test' scale point as a fraction of production's")
      ->check(CLI::Range(1e-6, 1.0));
  command->add_option("--seed", global.seed, "the profile's seed (default 1)");
  command->add_flag_function(
      "-q,--quiet", [&global](int64_t) { global.verbosity = 0; }, "only errors");
  command->callback([&global, &action, options] {
    action = [&global, options] {
      StatsSnapshot snapshot =
          read_stats(options->source, StatsOptions{.schema = options->schema,
                                                   .tables = split_list(options->tables),
                                                   .redact = options->redact});
      std::string name = options->name;
      if (name.empty() && !options->output.empty())
        name = std::filesystem::path(options->output).stem().string();
      std::vector<std::string> notes;
      const std::string text =
          render_profile(snapshot,
                         ImportOptions{.name = name,
                                       .seed = global.seed.value_or(1),
                                       .test_fraction = options->test_fraction},
                         &notes);
      if (options->output.empty()) {
        fmt::print("{}", text);
      } else {
        std::ofstream out(options->output, std::ios::binary | std::ios::trunc);
        out << text;
        if (!out) throw IoError("io.write-failed", fmt::format("cannot write {}", options->output));
      }
      if (global.verbosity > 0) {
        size_t columns = 0;
        for (const auto& t : snapshot.tables) columns += t.columns.size();
        fmt::print(stderr, "imported {} tables, {} columns from schema '{}' of '{}'{}{}\n",
                   snapshot.tables.size(), columns, snapshot.schema, snapshot.database,
                   snapshot.redacted ? " (text redacted)" : "",
                   options->output.empty() ? "" : " into " + options->output);
        for (const auto& note : notes) fmt::print(stderr, "  note: {}\n", note);
      }
      return 0;
    };
  });
}

}  // namespace pgshape::cli
