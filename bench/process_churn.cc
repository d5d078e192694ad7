// SPDX-License-Identifier: Apache-2.0
// The daemon's CPU is its time on a CPU from /proc/PID/task/*/schedstat
// (nanoseconds, exact) over a window of wall time. Process events
// come from the whole machine (the proc connector is global), so other
// activity on the machine during the window counts too: forks/s, all the
// machine's during the window, says how much churn the daemon really saw.
#include "process_churn.h"

#include <fcntl.h>
#include <fmt/format.h>
#include <sched.h>
#include <signal.h>
#include <sys/wait.h>
#include <unistd.h>

#include <cstdio>
#include <fstream>
#include <set>
#include <thread>

#include "bench_output.h"
#include "process_daemon.h"
#include "process_interruption.h"

namespace nettoll::bench {
namespace {

using namespace std::chrono_literals;
using Clock = std::chrono::steady_clock;

constexpr int kSockets = 10'000;
constexpr auto kChurnPeriod = 30ms;  // ~33 processes a second, 2,000 a minute
constexpr auto kChurnWindow = 30s;
constexpr auto kQuietWindow = 5s;
// The daemon takes in the holder's sockets (the fallback installs a filter
// per port) before the windows start.
constexpr auto kSettle = 2s;
constexpr double kTargetCpuPercent = 1.0;

const char* kConfig =
    "upload: 1gbit\ndownload: 1gbit\nprocesses:\n  bulk:\n    match: [{name: ntbulk}]\n    upload: 10mbit\n";

// The child side of one churn process: into A and the cgroup, then exec.
// Only system calls between fork and exec.
[[noreturn]] void become_true(int netns_fd, int cgroup_procs_fd) {
  // "0" moves the writing process itself.
  if (::setns(netns_fd, CLONE_NEWNET) != 0 || ::write(cgroup_procs_fd, "0", 1) != 1) _exit(126);
  ::execl("/bin/true", "true", static_cast<char*>(nullptr));
  _exit(127);
}

// Reaps those of `children` that have exited; with `wait`, all of them
// (killed after 2 s).
void reap(std::set<pid_t>& children, bool wait) {
  const auto deadline = Clock::now() + 2s;
  do {
    for (auto it = children.begin(); it != children.end();) {
      it = ::waitpid(*it, nullptr, WNOHANG) == 0 ? std::next(it) : children.erase(it);
    }
    if (children.empty() || !wait) return;
    std::this_thread::sleep_for(5ms);
  } while (Clock::now() < deadline);
  for (pid_t child : children) {
    ::kill(child, SIGKILL);
    ::waitpid(child, nullptr, 0);
  }
  children.clear();
}

// CPU % of one core the daemon uses over `window`.
double cpu_percent_over(pid_t daemon, std::chrono::milliseconds window) {
  const double cpu_before = cpu_seconds(daemon);
  const auto start = Clock::now();
  pause_for(window);
  const double wall = std::chrono::duration<double>(Clock::now() - start).count();
  return (cpu_seconds(daemon) - cpu_before) / wall * 100;
}

// Processes forked on the whole machine since boot (/proc/stat): the
// churn the daemon really saw, the benchmark's own and everybody else's.
uint64_t machine_forks() {
  std::ifstream stat("/proc/stat");
  for (std::string line; std::getline(stat, line);) {
    if (line.starts_with("processes ")) return std::stoull(line.substr(10));
  }
  return 0;
}

// The daemon's status names the holder's pid when it matched the rule.
bool holder_matched(const ProcessSandbox& sandbox, pid_t holder) {
  const auto status = testing::run_command(testing::nettoll_binary() + " status --json --socket " +
                                           sandbox.bin_dir() + "/api.sock");
  return status.output.find(fmt::format("\"{}\": \"bulk\"", holder)) != std::string::npos;
}

bool measure_path(const ProcessSandbox& sandbox, const std::string& path) {
  DaemonSession daemon(sandbox, kConfig, path);
  if (!daemon.error().empty()) {
    std::fprintf(stderr, "process_bench (b, %s): %s\n", path.c_str(), daemon.error().c_str());
    return false;
  }
  auto holder = sandbox.start_in_a(fmt::format("sockets/ntbulk {}", kSockets));
  if (!holder->wait_for_output("holding", 20s)) {
    std::fprintf(stderr, "process_bench (b, %s): the socket holder failed:\n%s\n", path.c_str(),
                 holder->output().c_str());
    return false;
  }
  if (!pause_for(kSettle)) return false;
  const bool matched = holder_matched(sandbox, holder->pid());
  const double quiet_cpu = cpu_percent_over(daemon.pid(), kQuietWindow);
  const double cpu_before = cpu_seconds(daemon.pid());
  const uint64_t forks_before = machine_forks();
  const auto start = Clock::now();
  const int started = churn_processes(sandbox, kChurnPeriod, kChurnWindow);
  const double wall = std::chrono::duration<double>(Clock::now() - start).count();
  const double churn_cpu = (cpu_seconds(daemon.pid()) - cpu_before) / wall * 100;
  const double machine_rate = static_cast<double>(machine_forks() - forks_before) / wall;
  if (started < 0 || interrupted()) return false;
  const long rss = memory_kib(daemon.pid(), "VmRSS");
  const long peak = memory_kib(daemon.pid(), "VmHWM");
  const std::string name = path.empty() ? "default" : path;
  report(fmt::format("  {:<8} {:>7}  {:>9.3f} %  {:>6.1f}  {:>7.1f}  {:>9.3f} %  {:>8}  {:>8}  {}", name,
                     matched ? "yes" : "NO", quiet_cpu, started / wall, machine_rate, churn_cpu, rss, peak,
                     churn_cpu < kTargetCpuPercent ? "ok" : "MISSED"),
         {{"bench", "process_churn_cpu"},
          {"path", name},
          {"sockets", kSockets},
          {"holder_matched", matched},
          {"quiet_cpu_percent", quiet_cpu},
          {"quiet_window_s", std::chrono::duration<double>(kQuietWindow).count()},
          {"processes_started", started},
          {"processes_per_s", started / wall},
          {"machine_forks_per_s", machine_rate},
          {"window_s", wall},
          {"cpu_percent", churn_cpu},
          {"rss_kib", rss},
          {"peak_rss_kib", peak},
          {"target_cpu_percent", kTargetCpuPercent},
          {"meets_target", churn_cpu < kTargetCpuPercent}});
  return true;
}

}  // namespace

int churn_processes(const ProcessSandbox& sandbox, std::chrono::milliseconds period,
                    std::chrono::milliseconds duration) {
  const std::string netns = "/run/netns/" + sandbox.testbed().namespace_a();
  const std::string procs = sandbox.cgroup() + "/cgroup.procs";
  const int netns_fd = ::open(netns.c_str(), O_RDONLY | O_CLOEXEC);
  const int procs_fd = ::open(procs.c_str(), O_WRONLY | O_CLOEXEC);
  int started = netns_fd >= 0 && procs_fd >= 0 ? 0 : -1;
  std::set<pid_t> children;
  const auto start = Clock::now();
  for (auto next = start; started >= 0 && next - start < duration && !interrupted(); next += period) {
    std::this_thread::sleep_until(next);
    const pid_t child = ::fork();
    if (child == 0) become_true(netns_fd, procs_fd);
    if (child > 0) {
      children.insert(child);
      ++started;
    }
    reap(children, false);
  }
  reap(children, true);
  for (int fd : {netns_fd, procs_fd}) {
    if (fd >= 0) ::close(fd);
  }
  return started;
}

bool report_churn_cpu(const ProcessSandbox& sandbox, const std::vector<std::string>& paths,
                      const std::string& holder_program) {
  if (!sandbox.install_copy(holder_program, "sockets/ntbulk")) return false;
  std::printf(
      "(b) daemon CPU (%% of one core, from schedstat) and memory: a process matching the rule holds %d UDP "
      "sockets; "
      "%lld s quiet, then %lld s with a process started and reaped every %lld ms (target < %.0f %%)\n",
      kSockets, static_cast<long long>(kQuietWindow.count()), static_cast<long long>(kChurnWindow.count()),
      static_cast<long long>(kChurnPeriod.count()), kTargetCpuPercent);
  std::printf("  %-8s %7s  %11s  %6s  %7s  %11s  %8s  %8s\n", "path", "matched", "quiet CPU", "proc/s",
              "forks/s", "churn CPU", "RSS KiB", "peak KiB");
  bool measured = true;
  for (const std::string& path : paths) {
    if (interrupted()) return false;
    measured = measure_path(sandbox, path) && measured;
  }
  return measured;
}

}  // namespace nettoll::bench
