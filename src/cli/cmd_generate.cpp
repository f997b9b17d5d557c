// pgshape generate PROFILE --out DIR: the rows a load would COPY, written to
// files (app/generate.cpp), one file per table, in COPY text, binary COPY or CSV.
// With --shard K/N only the K-th of N slices of every table: concatenated in K
// order, the text and CSV slices are byte-identical to the unsharded file.
#include <fmt/format.h>
#include <algorithm>
#include <cstdio>
#include <nlohmann/json.hpp>

#include "commands.hpp"
#include "format.hpp"
#include "pgshape/app.hpp"

namespace pgshape::cli {
namespace {

RowFormat format_of(const std::string& name) {
  if (name == "binary") return RowFormat::kCopyBinary;
  if (name == "csv") return RowFormat::kCsv;
  return RowFormat::kCopyText;  // "copy"; the option table allows nothing else
}

std::string render_text(const GenerateResult& result) {
  std::string text;
  int64_t rows = 0;
  uint64_t bytes = 0;
  for (const auto& t : result.files) {
    rows += t.rows;
    bytes += t.bytes;
    text += fmt::format(
        "  {:<20} {:>12} rows  {:>8.1f} MB  {:>7.2f} s  {:>12} rows/s  {}\n", t.table,
        thousands(t.rows), static_cast<double>(t.bytes) / 1e6, t.seconds,
        thousands(static_cast<int64_t>(static_cast<double>(t.rows) / std::max(t.seconds, 1e-9))),
        t.path);
  }
  text += fmt::format("  {} rows, {:.1f} MB in {:.2f} s\n", thousands(rows),
                      static_cast<double>(bytes) / 1e6, result.seconds);
  return text;
}

nlohmann::json render_json(const GenerateResult& result) {
  nlohmann::json tables = nlohmann::json::array();
  for (const auto& t : result.files)
    tables.push_back({{"table", t.table},
                      {"path", t.path},
                      {"rows", t.rows},
                      {"bytes", t.bytes},
                      {"seconds", t.seconds}});
  return {{"tables", tables}, {"seconds", result.seconds}};
}

}  // namespace

int run_generate_command(const Args& args) {
  GenerateCommand command{.profile = args.text(Opt::kProfile), .overlay = args.text(Opt::kOverlay)};
  GenerateOptions& files = command.files;
  files.scale = args.text(Opt::kScale);
  files.seed = args.seed();
  files.format = format_of(args.text(Opt::kFormat));
  files.out = args.text(Opt::kOut);
  files.tables = args.list(Opt::kTable);
  if (auto jobs = args.integer(Opt::kJobs)) files.jobs = static_cast<int>(*jobs);
  if (args.given(Opt::kShard)) {
    const ShardSpec shard = parse_shard(args.text(Opt::kShard));
    files.shard_index = shard.index;
    files.shard_count = shard.count;
    files.shard_names = true;
  }
  const GenerateResult result = run_generate(command);
  // With --out - stdout holds the rows: the summary goes to stderr.
  std::FILE* summary = files.out == "-" ? stderr : stdout;
  if (args.flag(Opt::kJson))
    fmt::print(summary, "{}\n", render_json(result).dump(2));
  else if (args.verbosity() > 0)
    fmt::print(summary, "{}", render_text(result));
  return 0;
}

}  // namespace pgshape::cli
