// pgshape generate PROFILE --out DIR: the rows a load would COPY, written to
// files instead (fixtures, other databases, and the benchmark's ceiling), one
// file per table, in COPY text, binary COPY or CSV. With --shard K/N only the
// K-th of N slices of every table: concatenated in K order, the text and CSV
// slices are byte-identical to the unsharded file. Parses, calls
// generate_files (src/load/files.cpp), renders.
#include <fmt/format.h>
#include <algorithm>
#include <chrono>
#include <cstdio>
#include <nlohmann/json.hpp>

#include "commands.hpp"
#include "format.hpp"
#include "pgshape/error.hpp"
#include "pgshape/gen.hpp"
#include "pgshape/load.hpp"
#include "pgshape/profile.hpp"
#include "pgshape/stats.hpp"

namespace pgshape::cli {
namespace {

struct GenerateCommand {
  std::string profile;
  std::string scale;
  std::string format = "copy";
  std::string out;
  std::string shard;
  std::vector<std::string> tables;  // empty: every table
};

RowFormat parse_format(const std::string& name) {
  if (name == "copy" || name == "text") return RowFormat::kCopyText;
  if (name == "binary") return RowFormat::kCopyBinary;
  if (name == "csv") return RowFormat::kCsv;
  throw UsageError("usage.bad-option", fmt::format("unknown format '{}'", name),
                   "formats: copy, binary, csv");
}

std::string render_text(const std::vector<GeneratedFile>& outputs, double seconds) {
  std::string text;
  int64_t rows = 0;
  uint64_t bytes = 0;
  for (const auto& t : outputs) {
    rows += t.rows;
    bytes += t.bytes;
    text += fmt::format(
        "  {:<20} {:>12} rows  {:>8.1f} MB  {:>7.2f} s  {:>12} rows/s  {}\n", t.table,
        thousands(t.rows), static_cast<double>(t.bytes) / 1e6, t.seconds,
        thousands(static_cast<int64_t>(static_cast<double>(t.rows) / std::max(t.seconds, 1e-9))),
        t.path);
  }
  text += fmt::format("  {} rows, {:.1f} MB in {:.2f} s\n", thousands(rows),
                      static_cast<double>(bytes) / 1e6, seconds);
  return text;
}

}  // namespace

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

void add_generate_command(CLI::App& app, GlobalOptions& global, Action& action) {
  auto* command =
      app.add_subcommand("generate", "write the generated rows to files (no database needed)");
  auto options = std::make_shared<GenerateCommand>();
  command->add_option("PROFILE", options->profile, "the profile (YAML)")->required();
  command->add_option("--scale", options->scale, "scale point (default: the profile's first)");
  command->add_option("--format", options->format,
                      "copy (COPY text), binary (COPY binary) or csv; default copy");
  command
      ->add_option("--out", options->out,
                   "directory for one file per table (<table>.copy|pgcopy|csv); '-' writes every "
                   "table to stdout, one after another")
      ->required();
  command->add_option("--shard", options->shard,
                      "K/N: only the K-th of N disjoint slices of every table; files are named "
                      "<table>.K-of-N.<ext>");
  command->add_option("--table", options->tables, "only this table (repeatable)");
  add_global_options(*command, global);
  command->callback([&global, &action, options] {
    action = [&global, options] {
      const auto started = std::chrono::steady_clock::now();
      const Profile profile = load_profile_with_overlay(options->profile);
      GenerateOptions generate{.scale = options->scale,
                               .seed = global.seed,
                               .format = parse_format(options->format),
                               .out = options->out,
                               .tables = options->tables,
                               .jobs = global.jobs};
      if (!options->shard.empty()) {
        const ShardSpec shard = parse_shard(options->shard);
        generate.shard_index = shard.index;
        generate.shard_count = shard.count;
        generate.shard_names = true;
      }
      const GenerateResult result = generate_files(profile, generate);
      const std::vector<GeneratedFile>& outputs = result.files;
      const bool to_stdout = options->out == "-";
      const double seconds =
          std::chrono::duration<double>(std::chrono::steady_clock::now() - started).count();
      if (global.json) {
        nlohmann::json tables = nlohmann::json::array();
        for (const auto& t : outputs)
          tables.push_back({{"table", t.table},
                            {"path", t.path},
                            {"rows", t.rows},
                            {"bytes", t.bytes},
                            {"seconds", t.seconds}});
        // With --out - stdout holds the rows: the summary goes to stderr.
        fmt::print(to_stdout ? stderr : stdout, "{}\n",
                   nlohmann::json{{"tables", tables}, {"seconds", seconds}}.dump(2));
      } else if (global.verbosity > 0) {
        fmt::print(to_stdout ? stderr : stdout, "{}", render_text(outputs, seconds));
      }
      return 0;
    };
  });
}

}  // namespace pgshape::cli
