// generate_files: a dataset's tables written to files instead of COPYed. Each
// table is one RowStream into a file sink; the tables run on the load's task
// runner (src/load/task_graph.hpp), largest first, so there is one thread pool.
// Files are written under temporary names beside their final ones and renamed
// only when every table is done: a full disk leaves no partial file behind and
// the previous files as they were.
#include <fcntl.h>
#include <unistd.h>

#include <fmt/format.h>
#include <algorithm>
#include <atomic>
#include <cerrno>
#include <chrono>
#include <cstring>
#include <filesystem>
#include <memory>

#include "load/steps.hpp"
#include "load/task_graph.hpp"
#include "pgshape/error.hpp"
#include "pgshape/load.hpp"

namespace pgshape {
namespace {

[[noreturn]] void write_failed(const std::string& what, int error) {
  throw IoError("io.write-failed", fmt::format("{}: {}", what, std::strerror(error)),
                "free space there or pick another --out; no partial file was left, and files "
                "already there are as they were");
}

// A file written under a temporary name in its own directory (so the rename
// is atomic), renamed over `path` by commit(); removed if never committed.
class FileSink : public RowSink {
 public:
  FileSink(std::string path, const std::atomic<bool>& failed)
      : path_(std::move(path)), failed_(failed) {
    const std::filesystem::path final_path(path_);
    temp_ = (final_path.parent_path() /
             fmt::format(".{}.pgshape-{}.tmp", final_path.filename().string(), ::getpid()))
                .string();
    fd_ = ::open(temp_.c_str(), O_WRONLY | O_CREAT | O_TRUNC | O_NOFOLLOW | O_CLOEXEC, 0644);
    if (fd_ < 0) write_failed(fmt::format("cannot create {}", path_), errno);
  }
  ~FileSink() override {
    if (fd_ >= 0) ::close(fd_);
    if (!committed_) ::unlink(temp_.c_str());
  }
  FileSink(const FileSink&) = delete;
  FileSink& operator=(const FileSink&) = delete;

  void write(std::string_view data) override {
    // Another table failed: stop here instead of finishing this one.
    if (failed_) throw IoError("io.write-failed", "stopped: writing another table failed");
    while (!data.empty()) {
      const ssize_t n = ::write(fd_, data.data(), data.size());
      if (n < 0 && errno == EINTR) continue;
      if (n < 0) write_failed(fmt::format("cannot write {}", path_), errno);
      data.remove_prefix(static_cast<size_t>(n));
    }
  }
  // Closes the file; a failure to close is a failure to write (NFS, quotas).
  void close() {
    const int fd = fd_;
    fd_ = -1;
    if (::close(fd) != 0) write_failed(fmt::format("cannot write {}", path_), errno);
  }
  void commit() {
    if (::rename(temp_.c_str(), path_.c_str()) != 0)
      write_failed(fmt::format("cannot rename {} to {}", temp_, path_), errno);
    committed_ = true;
  }

 private:
  std::string path_;
  std::string temp_;
  const std::atomic<bool>& failed_;
  int fd_ = -1;
  bool committed_ = false;
};

class StdoutSink : public RowSink {
 public:
  void write(std::string_view data) override {
    while (!data.empty()) {
      const ssize_t n = ::write(STDOUT_FILENO, data.data(), data.size());
      if (n < 0 && errno == EINTR) continue;
      if (n < 0) write_failed("cannot write to standard output", errno);
      data.remove_prefix(static_cast<size_t>(n));
    }
  }
};

// The task runner's per-thread connection: writing files needs none.
struct NoConnection {};

std::vector<const TableGenerator*> chosen_tables(const Profile& profile,
                                                 const DatasetGenerator& generator,
                                                 const std::vector<std::string>& names) {
  for (const auto& name : names) {
    if (profile.find_table(name)) continue;
    std::vector<std::string_view> known;
    for (const auto& t : profile.tables) known.push_back(t.name);
    throw UsageError("usage.unknown-table", fmt::format("no table '{}' in {}", name, profile.file),
                     fmt::format("tables: {}", fmt::join(known, ", ")));
  }
  std::vector<const TableGenerator*> chosen;
  for (const auto& table : generator.tables())
    if (names.empty() || std::find(names.begin(), names.end(), table.table().name) != names.end())
      chosen.push_back(&table);
  return chosen;
}

std::string file_path(const GenerateOptions& o, const std::string& table) {
  std::string name = table;
  if (o.shard_names) {
    const int width = static_cast<int>(std::to_string(o.shard_count).size());
    name += fmt::format(".{:0{}}-of-{}", o.shard_index + 1, width, o.shard_count);
  }
  return (std::filesystem::path(o.out) / fmt::format("{}.{}", name, file_extension(o.format)))
      .string();
}

}  // namespace

std::string_view file_extension(RowFormat format) {
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

GenerateResult generate_files(const Profile& profile, const GenerateOptions& o) {
  const auto started = std::chrono::steady_clock::now();
  const Scale& scale = load::resolve_scale(profile, o.scale);
  if (o.shard_count < 1 || o.shard_index < 0 || o.shard_index >= o.shard_count)
    throw UsageError("usage.bad-option", fmt::format("shard {} of {} does not exist",
                                                     o.shard_index + 1, o.shard_count));
  const bool to_stdout = o.out == "-";
  if (!to_stdout) {
    std::error_code error;
    std::filesystem::create_directories(o.out, error);
    if (error) write_failed(fmt::format("cannot create directory {}", o.out), error.value());
  }
  const DatasetGenerator generator(profile, scale, o.seed.value_or(profile.seed));
  const std::vector<const TableGenerator*> chosen = chosen_tables(profile, generator, o.tables);

  GenerateResult result;
  result.files.resize(chosen.size());
  std::vector<std::unique_ptr<FileSink>> sinks(chosen.size());  // removed unless committed
  StdoutSink stdout_sink;
  std::atomic<bool> failed{false};
  std::vector<load::GraphTask<NoConnection>> tasks(chosen.size());
  for (size_t i = 0; i < chosen.size(); ++i) {
    const TableGenerator& table = *chosen[i];
    tasks[i].cost = static_cast<double>(table.rows()) * static_cast<double>(table.column_count());
    if (to_stdout && i > 0) tasks[i].after = {i - 1};  // one after another, in order
    tasks[i].run = [&, i](NoConnection&) {
      const TableGenerator& table = *chosen[i];
      const RowRange range = shard_rows(table.rows(), o.shard_index, o.shard_count);
      const std::string path = to_stdout ? "-" : file_path(o, table.table().name);
      RowSink* sink = &stdout_sink;
      if (!to_stdout) sink = (sinks[i] = std::make_unique<FileSink>(path, failed)).get();
      const StreamResult r = RowStream(table, o.format, range).write_to(*sink);
      if (sinks[i]) sinks[i]->close();
      result.files[i] = {table.table().name, path, r.rows, r.bytes, r.seconds};
    };
  }
  load::run_task_graph<NoConnection>(
      to_stdout ? 1 : std::max(1, o.jobs), tasks, [] { return std::make_unique<NoConnection>(); },
      failed);
  for (auto& sink : sinks)  // every table is written: the new files replace the old ones
    if (sink) sink->commit();
  result.seconds =
      std::chrono::duration<double>(std::chrono::steady_clock::now() - started).count();
  return result;
}

}  // namespace pgshape
