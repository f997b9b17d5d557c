// Proof of ownership before anything is stopped or removed: the marker must be
// ours (its file owner is our effective uid, which no other unprivileged user
// can fake), its writer must be gone (pid plus kernel start time, so a reused
// pid is not mistaken for the owner), and a postmaster is signalled only when
// its pid file and its working directory both name the orphaned data
// directory. Anything that fails a check is left exactly as it was.
#include "pg/stale_servers.hpp"

#include <signal.h>
#include <sys/stat.h>
#include <unistd.h>

#include <cerrno>
#include <filesystem>
#include <fstream>
#include <map>
#include <sstream>
#include <string>

namespace pgshape::pg {
namespace fs = std::filesystem;
namespace {

constexpr const char* kMarkerHeader = "pgshape embedded server owner";

std::string first_line(const fs::path& path) {
  std::ifstream in(path);
  std::string line;
  std::getline(in, line);
  return line;
}

std::string boot_id() {
  return first_line("/proc/sys/kernel/random/boot_id");
}

// Field 22 of /proc/PID/stat: when the process started, in clock ticks since
// boot. The command name (field 2) may hold spaces and parentheses, so the
// fields are counted from the last ')'.
std::string start_time_of(pid_t pid) {
  std::string stat = first_line("/proc/" + std::to_string(pid) + "/stat");
  size_t close = stat.rfind(')');
  if (close == std::string::npos) return "";
  std::istringstream fields(stat.substr(close + 1));
  std::string field;
  for (int i = 3; i <= 22 && fields >> field; ++i) {
    if (i == 22) return field;
  }
  return "";
}

bool alive(pid_t pid) {
  return pid > 0 && (::kill(pid, 0) == 0 || errno == EPERM);
}

std::map<std::string, std::string> read_marker(const fs::path& path) {
  std::map<std::string, std::string> fields;
  std::ifstream in(path);
  std::string line;
  if (!std::getline(in, line) || line != kMarkerHeader) return fields;
  while (std::getline(in, line)) {
    size_t eq = line.find('=');
    if (eq != std::string::npos) fields[line.substr(0, eq)] = line.substr(eq + 1);
  }
  return fields;
}

pid_t to_pid(const std::string& text) {
  try {
    size_t used = 0;
    long value = std::stol(text, &used);
    return used == text.size() && value > 0 ? static_cast<pid_t>(value) : 0;
  } catch (...) {
    return 0;
  }
}

bool owner_is_gone(const std::map<std::string, std::string>& marker) {
  auto field = [&](const char* key) {
    auto it = marker.find(key);
    return it == marker.end() ? std::string() : it->second;
  };
  pid_t owner = to_pid(field("pid"));
  if (owner == 0 || field("start").empty() || field("boot").empty()) return false;
  if (field("boot") != boot_id()) return true;  // rebooted since: nothing of it runs
  return !alive(owner) || start_time_of(owner) != field("start");
}

bool same_path(const fs::path& a, const fs::path& b) {
  std::error_code ec1, ec2;
  fs::path ca = fs::canonical(a, ec1), cb = fs::canonical(b, ec2);
  return !ec1 && !ec2 && ca == cb;
}

// What still runs in a data directory, from postmaster.pid: its first two lines
// are a pid (negative for initdb's standalone backend) and the data directory.
struct Occupant {
  bool running = false;  // a process the pid file names is alive
  pid_t postmaster = 0;  // running, and provably this directory's postmaster
};

Occupant occupant_of(const fs::path& data_dir) {
  std::ifstream in(data_dir / "postmaster.pid");
  std::string pid_line, dir_line;
  if (!std::getline(in, pid_line)) return {};
  std::getline(in, dir_line);
  const bool standalone = !pid_line.empty() && pid_line.front() == '-';
  const pid_t pid = to_pid(standalone ? pid_line.substr(1) : pid_line);
  if (pid == 0 || !alive(pid)) return {};
  if (standalone || !same_path(dir_line, data_dir)) return {.running = true};
  // A running postmaster's working directory is its data directory.
  std::error_code ec;
  const fs::path cwd = fs::read_symlink("/proc/" + std::to_string(pid) + "/cwd", ec);
  if (ec || !same_path(cwd, data_dir)) return {.running = true};
  return {.running = true, .postmaster = pid};
}

// Immediate shutdown (SIGQUIT), as pg_ctl -m immediate does; SIGKILL only if
// it is still there after ten seconds. Its children exit when it does.
void stop_postmaster(pid_t pid) {
  if (::kill(pid, SIGQUIT) != 0) return;
  for (int i = 0; i < 200 && ::kill(pid, 0) == 0; ++i) ::usleep(50000);
  if (::kill(pid, 0) == 0) {
    ::kill(pid, SIGKILL);
    for (int i = 0; i < 100 && ::kill(pid, 0) == 0; ++i) ::usleep(50000);
  }
}

bool is_stale(const fs::path& dir) {
  struct stat dir_st {
  }, marker_st{};
  if (::lstat(dir.c_str(), &dir_st) != 0 || !S_ISDIR(dir_st.st_mode)) return false;
  fs::path marker = dir / kOwnerMarker;
  if (::lstat(marker.c_str(), &marker_st) != 0 || !S_ISREG(marker_st.st_mode)) return false;
  if (marker_st.st_uid != ::geteuid()) return false;
  auto fields = read_marker(marker);
  if (fields.empty() || fields["keep"] != "0") return false;
  return owner_is_gone(fields);
}

}  // namespace

void write_owner_marker(const std::string& root_dir, bool keep) {
  pid_t self = ::getpid();
  std::string text = std::string(kMarkerHeader) + "\npid=" + std::to_string(self) +
                     "\nstart=" + start_time_of(self) + "\nboot=" + boot_id() +
                     "\nkeep=" + (keep ? "1" : "0") + "\n";
  fs::path final_path = fs::path(root_dir) / kOwnerMarker;
  fs::path temp_path = final_path;
  temp_path += ".tmp";
  {
    std::ofstream out(temp_path, std::ios::trunc);
    out << text;
    if (!out.flush()) return;  // no marker: the directory is simply never swept
  }
  std::error_code ec;
  fs::rename(temp_path, final_path, ec);
}

std::vector<std::string> sweep_stale_servers(const std::string& base) {
  std::vector<std::string> removed;
  std::error_code ec;
  for (const auto& entry : fs::directory_iterator(base, ec)) {
    const fs::path dir = entry.path();
    if (dir.filename().string().rfind("pgshape-", 0) != 0 || !is_stale(dir)) continue;
    const Occupant occupant = occupant_of(dir / "data");
    if (occupant.running && occupant.postmaster == 0) continue;  // not provably ours to stop
    if (occupant.postmaster != 0) {
      stop_postmaster(occupant.postmaster);
      if (alive(occupant.postmaster)) continue;  // could not stop it: leave its files to it
    }
    std::error_code remove_ec;
    fs::remove_all(dir, remove_ec);
    if (!remove_ec) removed.push_back(dir.string());
  }
  return removed;
}

}  // namespace pgshape::pg
