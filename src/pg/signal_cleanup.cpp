// See signal_cleanup.hpp for the design. The registry is a fixed array of
// plain slots: registration fills a slot and then publishes it by setting
// `pid` last; the handler reads only published slots and never allocates.
#include "pg/signal_cleanup.hpp"

#include <signal.h>
#include <sys/wait.h>
#include <unistd.h>

#include <atomic>
#include <climits>
#include <cstring>
#include <ctime>
#include <mutex>

namespace pgshape::pg {
namespace {

constexpr int kSlots = 8;
constexpr int kSignals[] = {SIGINT, SIGTERM, SIGHUP};

struct Slot {
  std::atomic<pid_t> pid{0};  // 0 = free
  char pid_file[PATH_MAX] = {};
  char remove_dir[PATH_MAX] = {};
};

Slot g_slots[kSlots];
std::mutex g_register_mutex;
bool g_handlers_installed = false;

bool server_alive(pid_t pid, const char* pid_file) {
  return ::kill(pid, 0) == 0 && ::access(pid_file, F_OK) == 0;
}

void sleep_ms(long ms) {
  timespec ts{0, ms * 1000000L};
  ::nanosleep(&ts, nullptr);
}

void remove_tree(const char* dir) {
  if (dir[0] == '\0') return;
  pid_t child = ::fork();
  if (child == 0) {
    char rm[] = "/bin/rm";
    char rf[] = "-rf";
    char dashes[] = "--";
    char* argv[] = {rm, rf, dashes, const_cast<char*>(dir), nullptr};
    ::execv(rm, argv);
    ::_exit(127);
  }
  if (child > 0) {
    int status = 0;
    while (::waitpid(child, &status, 0) < 0 && errno == EINTR) {
    }
  }
}

void on_fatal_signal(int sig) {
  int saved_errno = errno;
  for (Slot& slot : g_slots) {
    pid_t pid = slot.pid.load();
    if (pid > 0) ::kill(pid, SIGQUIT);  // immediate shutdown, as pg_ctl -m immediate
  }
  for (Slot& slot : g_slots) {
    pid_t pid = slot.pid.exchange(0);
    if (pid <= 0) continue;
    for (int i = 0; i < 100 && server_alive(pid, slot.pid_file); ++i) sleep_ms(50);  // <= 5 s
    remove_tree(slot.remove_dir);
  }
  errno = saved_errno;
  ::signal(sig, SIG_DFL);
  ::raise(sig);
}

void install_handlers() {
  for (int sig : kSignals) {
    struct sigaction current {};
    ::sigaction(sig, nullptr, &current);
    if (current.sa_handler != SIG_DFL) continue;  // ignored or someone else's: leave it
    struct sigaction action {};
    action.sa_handler = on_fatal_signal;
    ::sigfillset(&action.sa_mask);  // no nesting: one cleanup at a time
    action.sa_flags = SA_RESETHAND;
    ::sigaction(sig, &action, nullptr);
  }
}

}  // namespace

int register_server(pid_t postmaster_pid, const std::string& pid_file,
                    const std::string& remove_dir) {
  std::lock_guard<std::mutex> lock(g_register_mutex);
  if (!g_handlers_installed) {
    install_handlers();
    g_handlers_installed = true;
  }
  if (remove_dir.size() >= PATH_MAX || pid_file.size() >= PATH_MAX) return -1;
  for (int i = 0; i < kSlots; ++i) {
    if (g_slots[i].pid.load() != 0) continue;
    std::memset(g_slots[i].pid_file, 0, sizeof g_slots[i].pid_file);
    std::memcpy(g_slots[i].pid_file, pid_file.data(), pid_file.size());
    std::memset(g_slots[i].remove_dir, 0, sizeof g_slots[i].remove_dir);
    std::memcpy(g_slots[i].remove_dir, remove_dir.data(), remove_dir.size());
    g_slots[i].pid.store(postmaster_pid);  // publish last
    return i;
  }
  return -1;
}

void unregister_server(int slot) {
  if (slot < 0 || slot >= kSlots) return;
  std::lock_guard<std::mutex> lock(g_register_mutex);
  g_slots[slot].pid.store(0);
}

}  // namespace pgshape::pg
