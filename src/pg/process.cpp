// fork + exec without a shell. Everything the child needs (argv, envp, the
// user's ids and groups, the file names) is prepared before fork(), so the child
// only makes async-signal-safe calls: that keeps it correct in a threaded
// process and lets signal handlers reuse the same pattern.
#include "pg/process.hpp"

#include <fcntl.h>
#include <grp.h>
#include <pwd.h>
#include <signal.h>
#include <sys/stat.h>
#include <sys/wait.h>
#include <unistd.h>

#include <cerrno>
#include <cstdlib>
#include <fstream>
#include <sstream>
#include <string_view>
#include <system_error>

extern char** environ;

namespace pgshape::pg {
namespace {

int open_output(const std::string& path) {
  const char* p = path.empty() ? "/dev/null" : path.c_str();
  int fd = ::open(p, O_WRONLY | O_CREAT | O_APPEND | O_CLOEXEC, 0600);
  if (fd < 0) throw std::system_error(errno, std::generic_category(), "cannot open " + path);
  return fd;
}

std::vector<std::string> build_environment(const std::map<std::string, std::string>& overrides,
                                           bool without_pg_variables) {
  std::vector<std::string> out;
  for (char** e = environ; e != nullptr && *e != nullptr; ++e) {
    std::string entry(*e);
    std::string key = entry.substr(0, entry.find('='));
    if (without_pg_variables && key.rfind("PG", 0) == 0) continue;
    if (overrides.count(key) == 0) out.push_back(std::move(entry));
  }
  for (const auto& [key, value] : overrides) {
    if (!value.empty()) out.push_back(key + "=" + value);
  }
  return out;
}

std::vector<char*> pointers_to(std::vector<std::string>& strings) {
  std::vector<char*> out;
  out.reserve(strings.size() + 1);
  for (auto& s : strings) out.push_back(s.data());
  out.push_back(nullptr);
  return out;
}

int decode_status(int status) {
  if (WIFEXITED(status)) return WEXITSTATUS(status);
  if (WIFSIGNALED(status)) return 128 + WTERMSIG(status);
  return 127;
}

int wait_for(pid_t pid) {
  int status = 0;
  while (::waitpid(pid, &status, 0) < 0) {
    if (errno != EINTR) return 127;
  }
  return decode_status(status);
}

// In the child: default signal dispositions and an unblocked mask (both survive
// exec otherwise), then close every descriptor above stderr.
void reset_child_state(const sigset_t& original_mask) {
  ::signal(SIGINT, SIG_DFL);
  ::signal(SIGTERM, SIG_DFL);
  ::signal(SIGHUP, SIG_DFL);
  ::signal(SIGPIPE, SIG_DFL);
  ::sigprocmask(SIG_SETMASK, &original_mask, nullptr);
}

}  // namespace

std::optional<OsUser> lookup_os_user(const std::string& name) {
  std::vector<char> buffer(16384);
  passwd pw{};
  passwd* result = nullptr;
  if (::getpwnam_r(name.c_str(), &pw, buffer.data(), buffer.size(), &result) != 0 ||
      result == nullptr) {
    return std::nullopt;
  }
  OsUser user{name, pw.pw_uid, pw.pw_gid, {}};
  int count = 64;
  std::vector<gid_t> groups(count);
  if (::getgrouplist(name.c_str(), pw.pw_gid, groups.data(), &count) < 0) {
    groups.resize(count);
    ::getgrouplist(name.c_str(), pw.pw_gid, groups.data(), &count);
  }
  groups.resize(count > 0 ? count : 0);
  user.groups = groups.empty() ? std::vector<gid_t>{pw.pw_gid} : groups;
  return user;
}

std::string find_in_path(const std::string& name) {
  if (name.find('/') != std::string::npos) return name;
  const char* path = std::getenv("PATH");
  std::stringstream dirs(path != nullptr ? path : "/usr/local/bin:/usr/bin:/bin");
  std::string dir;
  while (std::getline(dirs, dir, ':')) {
    // Appends, not operator+: GCC 12 at -O3 warns (-Wrestrict) on the latter.
    std::string candidate(dir.empty() ? std::string_view(".") : std::string_view(dir));
    candidate.append("/").append(name);
    struct stat st {};
    if (::stat(candidate.c_str(), &st) == 0 && S_ISREG(st.st_mode) &&
        ::access(candidate.c_str(), X_OK) == 0) {
      return candidate;
    }
  }
  return {};
}

int run_process(const ProcessSpec& spec) {
  if (spec.argv.empty()) return 127;
  std::vector<std::string> args = spec.argv;
  std::string program = find_in_path(args[0]);
  if (program.empty()) return 127;
  std::vector<char*> argv = pointers_to(args);
  std::vector<std::string> env_strings = build_environment(spec.env, spec.without_pg_variables);
  std::vector<char*> envp = pointers_to(env_strings);

  int out_fd = open_output(spec.stdout_path);
  int err_fd = spec.stderr_path == spec.stdout_path ? ::fcntl(out_fd, F_DUPFD_CLOEXEC, 3) : -1;
  if (err_fd < 0) {
    try {
      err_fd = open_output(spec.stderr_path);
    } catch (...) {
      ::close(out_fd);
      throw;
    }
  }
  int in_fd = ::open("/dev/null", O_RDONLY | O_CLOEXEC);

  // Block signals across fork so the child cannot run the parent's handlers
  // (e.g. the embedded-server cleanup) before it has reset them.
  sigset_t all, original;
  ::sigfillset(&all);
  ::pthread_sigmask(SIG_SETMASK, &all, &original);
  pid_t pid = ::fork();
  if (pid == 0) {
    reset_child_state(original);
    if (in_fd >= 0) ::dup2(in_fd, STDIN_FILENO);
    ::dup2(out_fd, STDOUT_FILENO);
    ::dup2(err_fd, STDERR_FILENO);
    ::close_range(3, ~0U, 0);
    if (!spec.cwd.empty() && ::chdir(spec.cwd.c_str()) != 0) ::_exit(127);
    if (spec.user != nullptr) {
      if (::setgroups(spec.user->groups.size(), spec.user->groups.data()) != 0 ||
          ::setgid(spec.user->gid) != 0 || ::setuid(spec.user->uid) != 0) {
        ::_exit(126);
      }
    }
    ::execve(program.c_str(), argv.data(), envp.data());
    ::_exit(127);
  }
  int fork_errno = errno;
  ::pthread_sigmask(SIG_SETMASK, &original, nullptr);
  ::close(out_fd);
  ::close(err_fd);
  if (in_fd >= 0) ::close(in_fd);
  if (pid < 0) throw std::system_error(fork_errno, std::generic_category(), "fork");
  return wait_for(pid);
}

std::optional<std::string> capture_stdout(const std::vector<std::string>& argv_in) {
  if (argv_in.empty()) return std::nullopt;
  std::vector<std::string> args = argv_in;
  std::string program = find_in_path(args[0]);
  if (program.empty()) return std::nullopt;
  std::vector<char*> argv = pointers_to(args);
  int fds[2];
  if (::pipe2(fds, O_CLOEXEC) != 0) return std::nullopt;
  int null_fd = ::open("/dev/null", O_RDWR | O_CLOEXEC);

  sigset_t all, original;
  ::sigfillset(&all);
  ::pthread_sigmask(SIG_SETMASK, &all, &original);
  pid_t pid = ::fork();
  if (pid == 0) {
    reset_child_state(original);
    ::dup2(null_fd, STDIN_FILENO);
    ::dup2(fds[1], STDOUT_FILENO);
    ::dup2(null_fd, STDERR_FILENO);
    ::close_range(3, ~0U, 0);
    ::execv(program.c_str(), argv.data());
    ::_exit(127);
  }
  ::pthread_sigmask(SIG_SETMASK, &original, nullptr);
  ::close(fds[1]);
  if (null_fd >= 0) ::close(null_fd);
  if (pid < 0) {
    ::close(fds[0]);
    return std::nullopt;
  }
  std::string output;
  char buf[4096];
  for (;;) {
    ssize_t n = ::read(fds[0], buf, sizeof buf);
    if (n > 0) {
      output.append(buf, static_cast<size_t>(n));
    } else if (n == 0 || errno != EINTR) {
      break;
    }
  }
  ::close(fds[0]);
  if (wait_for(pid) != 0) return std::nullopt;
  return output;
}

std::string tail_of_file(const std::string& path, int max_lines) {
  std::ifstream in(path, std::ios::binary);
  if (!in) return {};
  in.seekg(0, std::ios::end);
  std::streamoff size = in.tellg();
  constexpr std::streamoff kMaxBytes = 4096;
  in.seekg(size > kMaxBytes ? size - kMaxBytes : 0);
  std::string text((std::istreambuf_iterator<char>(in)), std::istreambuf_iterator<char>());
  while (!text.empty() && (text.back() == '\n' || text.back() == '\r')) text.pop_back();
  size_t pos = text.size();
  for (int lines = 0; lines < max_lines && pos != std::string::npos && pos > 0;) {
    pos = text.rfind('\n', pos - 1);
    if (pos != std::string::npos) ++lines;
  }
  return pos == std::string::npos ? text : text.substr(pos + 1);
}

}  // namespace pgshape::pg
