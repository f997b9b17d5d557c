// pgshape generate PROFILE --out DIR: the rows a load would COPY, written to
// files instead (fixtures, other databases, and the benchmark's ceiling), one
// file per table, in COPY text, binary COPY or CSV. With --shard K/N only the
// K-th of N slices of every table: concatenated in K order, the text and CSV
// slices are byte-identical to the unsharded file.
#include <fcntl.h>
#include <unistd.h>

#include <fmt/format.h>
#include <algorithm>
#include <atomic>
#include <cerrno>
#include <chrono>
#include <cstdio>
#include <cstring>
#include <exception>
#include <filesystem>
#include <mutex>
#include <nlohmann/json.hpp>
#include <thread>

#include "commands.hpp"
#include "format.hpp"
#include "pgshape/error.hpp"
#include "pgshape/gen.hpp"
#include "pgshape/profile.hpp"
#include "pgshape/stats.hpp"

namespace pgshape::cli {
namespace {

constexpr size_t kWriteBytes = 1 << 20;
constexpr uint64_t kBatchRows = 1024;

struct GenerateCommand {
  std::string profile;
  std::string scale;
  std::string format = "copy";
  std::string out;
  std::string shard;
  std::vector<std::string> tables;  // empty: every table
};

struct TableOutput {
  std::string table;
  std::string path;
  int64_t rows = 0;
  uint64_t bytes = 0;
  double seconds = 0;
};

// An output file descriptor, closed on scope exit; stdout is borrowed.
class Output {
 public:
  explicit Output(const std::string& path) : path_(path) {
    if (path == "-") {
      fd_ = STDOUT_FILENO;
      return;
    }
    fd_ = ::open(path.c_str(), O_WRONLY | O_CREAT | O_TRUNC | O_CLOEXEC, 0644);
    if (fd_ < 0)
      throw IoError("io.write-failed",
                    fmt::format("cannot write {}: {}", path, std::strerror(errno)));
    owned_ = true;
  }
  ~Output() {
    if (owned_) ::close(fd_);
  }
  Output(const Output&) = delete;
  Output& operator=(const Output&) = delete;
  void write(std::string_view data) {
    while (!data.empty()) {
      const ssize_t n = ::write(fd_, data.data(), data.size());
      if (n < 0 && errno == EINTR) continue;
      if (n < 0)
        throw IoError("io.write-failed",
                      fmt::format("cannot write {}: {}", path_, std::strerror(errno)));
      data.remove_prefix(static_cast<size_t>(n));
    }
  }

 private:
  std::string path_;
  int fd_ = -1;
  bool owned_ = false;
};

RowFormat parse_format(const std::string& name) {
  if (name == "copy" || name == "text") return RowFormat::kCopyText;
  if (name == "binary") return RowFormat::kCopyBinary;
  if (name == "csv") return RowFormat::kCsv;
  throw UsageError("usage.bad-option", fmt::format("unknown format '{}'", name),
                   "formats: copy, binary, csv");
}

std::string_view extension(RowFormat format) {
  switch (format) {
    case RowFormat::kCopyText:
      return "copy";
    case RowFormat::kCopyBinary:
      return "pgcopy";
    case RowFormat::kCsv:
      return "csv";
  }
  return "copy";
}

// Writes one table's slice: header, rows in batches, trailer.
TableOutput write_table(const TableGenerator& table, RowFormat format, RowRange range, Output& out,
                        std::string path) {
  const auto started = std::chrono::steady_clock::now();
  ByteBuffer buffer;
  buffer.reserve(kWriteBytes + (kWriteBytes >> 2));
  if (format == RowFormat::kCopyBinary) buffer.append(copy_binary_header());
  uint64_t bytes = 0;
  for (uint64_t row = range.begin; row < range.end;) {
    const uint64_t end = std::min(range.end, row + kBatchRows);
    table.write_rows(format, row, end, buffer);
    row = end;
    if (buffer.size() >= kWriteBytes) {
      out.write(buffer.view());
      bytes += buffer.size();
      buffer.clear();
    }
  }
  if (format == RowFormat::kCopyBinary) buffer.append(copy_binary_trailer());
  out.write(buffer.view());
  bytes += buffer.size();
  return {table.table().name, std::move(path), static_cast<int64_t>(range.end - range.begin), bytes,
          std::chrono::duration<double>(std::chrono::steady_clock::now() - started).count()};
}

// Runs work(i) for i in [0, count) on `jobs` threads; rethrows the first failure.
void run_jobs(int jobs, size_t count, const std::function<void(size_t)>& work) {
  std::atomic<size_t> next{0};
  std::exception_ptr failure;
  std::mutex mutex;
  auto worker = [&] {
    for (size_t i; (i = next++) < count;) {
      try {
        work(i);
      } catch (...) {
        std::lock_guard lock(mutex);
        if (!failure) failure = std::current_exception();
        next = count;
      }
    }
  };
  std::vector<std::thread> threads;
  for (int t = 1; t < std::min<int>(jobs, static_cast<int>(count)); ++t)
    threads.emplace_back(worker);
  worker();
  for (auto& t : threads) t.join();
  if (failure) std::rethrow_exception(failure);
}

std::string render_text(const std::vector<TableOutput>& outputs, double seconds) {
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

int run_generate_command(const Args& args) {
  auto options = std::make_shared<GenerateCommand>();
  options->profile = args.text(Opt::kProfile);
  options->scale = args.text(Opt::kScale);
  if (args.given(Opt::kFormat)) options->format = args.text(Opt::kFormat);
  options->out = args.text(Opt::kOut);
  options->shard = args.text(Opt::kShard);
  options->tables = args.list(Opt::kTable);
  GlobalOptions global{.seed = args.seed(),
                       .jobs = static_cast<int>(args.integer(Opt::kJobs).value_or(2)),
                       .json = args.flag(Opt::kJson),
                       .verbosity = args.verbosity()};
  {
    auto action = [&global, options] {
      const auto started = std::chrono::steady_clock::now();
      const Profile profile = load_profile_with_overlay(options->profile);
      const std::string scale_name =
          options->scale.empty() ? profile.default_scale : options->scale;
      const Scale* scale = profile.find_scale(scale_name);
      if (!scale)
        throw UsageError("usage.unknown-scale",
                         fmt::format("unknown scale point '{}'", scale_name));
      const RowFormat format = parse_format(options->format);
      const ShardSpec shard = options->shard.empty() ? ShardSpec{} : parse_shard(options->shard);
      for (const auto& name : options->tables)
        if (!profile.find_table(name))
          throw UsageError("usage.unknown-table",
                           fmt::format("no table '{}' in {}", name, profile.file));
      const bool to_stdout = options->out == "-";
      if (!to_stdout) std::filesystem::create_directories(options->out);

      DatasetGenerator generator(profile, *scale, global.seed.value_or(profile.seed));
      std::vector<const TableGenerator*> chosen;
      for (const auto& table : generator.tables())
        if (options->tables.empty() || std::find(options->tables.begin(), options->tables.end(),
                                                 table.table().name) != options->tables.end())
          chosen.push_back(&table);

      std::vector<TableOutput> outputs(chosen.size());
      auto one = [&](size_t i, Output* shared) {
        const TableGenerator& table = *chosen[i];
        const RowRange range = shard_rows(table.rows(), shard.index, shard.count);
        if (shared) {
          outputs[i] = write_table(table, format, range, *shared, "-");
          return;
        }
        std::string name = table.table().name;
        if (!options->shard.empty()) {
          const int width = static_cast<int>(std::to_string(shard.count).size());
          name += fmt::format(".{:0{}}-of-{}", shard.index + 1, width, shard.count);
        }
        const std::string path =
            (std::filesystem::path(options->out) / fmt::format("{}.{}", name, extension(format)))
                .string();
        Output out(path);
        outputs[i] = write_table(table, format, range, out, path);
      };
      if (to_stdout) {
        Output out("-");
        for (size_t i = 0; i < chosen.size(); ++i) one(i, &out);
      } else {
        run_jobs(global.jobs, chosen.size(), [&](size_t i) { one(i, nullptr); });
      }
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
    return action();
  }
}

}  // namespace pgshape::cli
