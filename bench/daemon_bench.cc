// SPDX-License-Identifier: Apache-2.0
// The daemon as a service: time from a default-route change to shaping on the
// new uplink, and its memory and idle CPU. Runs inside a namespace testbed.
#include <fmt/format.h>
#include <signal.h>
#include <unistd.h>

#include <algorithm>
#include <chrono>
#include <fstream>
#include <sstream>
#include <thread>
#include <vector>

#include "bench_output.h"
#include "child_process.h"
#include "kernel/links.h"
#include "kernel/netlink_socket.h"
#include "kernel/qdiscs.h"
#include "sample_stats.h"
#include "test_cgroup.h"
#include "testbed.h"

namespace nettoll::bench {
namespace {

using namespace std::chrono_literals;
using Clock = std::chrono::steady_clock;
using testing::ChildProcess;
using testing::Testbed;

constexpr int kSwitches = 10;

bool shaped(NetlinkSocket& socket, const std::string& device) {
  auto link = find_link(socket, device);
  if (!link) return false;
  auto qdiscs = list_qdiscs(socket, link->ifindex);
  if (!qdiscs) return false;
  return std::any_of(qdiscs->begin(), qdiscs->end(),
                     [](const QdiscInfo& q) { return q.root && q.kind == "htb" && q.handle.major == 0x7a; });
}

// Milliseconds from now until `device` carries nettoll's HTB, polled over
// netlink every 0.5 ms; -1 after 5 s.
double wait_until_shaped(NetlinkSocket& socket, const std::string& device, Clock::time_point since) {
  while (Clock::now() - since < 5s) {
    if (shaped(socket, device))
      return std::chrono::duration<double, std::milli>(Clock::now() - since).count();
    std::this_thread::sleep_for(500us);
  }
  return -1;
}

long rss_kib(pid_t pid) {
  std::ifstream status("/proc/" + std::to_string(pid) + "/status");
  std::string line;
  while (std::getline(status, line)) {
    if (line.starts_with("VmRSS:")) return std::stol(line.substr(6));
  }
  return -1;
}

double cpu_seconds(pid_t pid) {
  std::ifstream stat("/proc/" + std::to_string(pid) + "/stat");
  std::string text((std::istreambuf_iterator<char>(stat)), std::istreambuf_iterator<char>());
  std::istringstream fields(text.substr(text.rfind(')') + 2));
  std::string field;
  unsigned long utime = 0, stime = 0;
  for (int i = 3; i <= 15 && fields >> field; ++i) {
    if (i == 14) utime = std::stoul(field);
    if (i == 15) stime = std::stoul(field);
  }
  return static_cast<double>(utime + stime) / static_cast<double>(sysconf(_SC_CLK_TCK));
}

int run() {
  Testbed testbed;
  if (!testbed.setup_error().empty()) {
    std::fprintf(stderr, "daemon_bench: %s\n", testbed.setup_error().c_str());
    return 2;
  }
  testing::run_command("ip link add vA2 netns " + testbed.namespace_a() + " type veth peer name vB2 netns " +
                       testbed.namespace_b());
  testbed.run_in_a(
      "ip addr add 10.78.0.1/24 dev vA2 && ip link set vA2 up && ip route add default via 10.77.0.2");
  testbed.run_in_b("ip addr add 10.78.0.2/24 dev vB2 && ip link set vB2 up");
  testing::TestCgroup cgroup("daemon-bench");  // its socket program stays off the machine's root cgroup
  if (cgroup.path().empty()) {
    std::fprintf(stderr, "daemon_bench: no cgroup v2 hierarchy\n");
    return 2;
  }
  const std::string config = "/tmp/nettoll-daemon-bench.yaml";
  std::ofstream(config)
      << "download: 50mbit\nupload: 10mbit\nprocesses:\n  browser:\n    match: [{name: firefox}]\n"
         "    upload: 2mbit\n";
  ChildProcess daemon({testing::nettoll_binary(), "daemon", "-c", config, "--netns", testbed.namespace_a(),
                       "--socket", "/tmp/nettoll-daemon-bench.sock", "--runtime-dir",
                       "/tmp/nettoll-daemon-bench-run", "--cgroup", cgroup.path(), "--usage-db",
                       "/tmp/nettoll-daemon-bench-run/usage.db", "--state-file",
                       "/tmp/nettoll-daemon-bench-run/state.json"});
  testing::ScopedNetworkNamespace inside(testbed.namespace_a());
  auto socket = NetlinkSocket::open();
  if (!socket || wait_until_shaped(*socket, "vA", Clock::now()) < 0) {
    std::fprintf(stderr, "daemon_bench: the daemon did not shape vA:\n%s\n", daemon.output().c_str());
    return 2;
  }
  std::vector<double> moves;
  for (int i = 0; i < kSwitches; ++i) {
    const bool to_second = i % 2 == 0;
    const auto start = Clock::now();
    testbed.run_in_a(to_second ? "ip route replace default via 10.78.0.2 dev vA2"
                               : "ip route replace default via 10.77.0.2 dev vA");
    moves.push_back(wait_until_shaped(*socket, to_second ? "vA2" : "vA", start));
  }
  report(
      fmt::format("route change -> shaping on the new uplink ({} switches): median {:.1f} ms, p90 {:.1f} ms, "
                  "max {:.1f} ms (includes a 100 ms settle delay; target < 1000 ms)",
                  kSwitches, percentile(moves, 0.5), percentile(moves, 0.9), percentile(moves, 1.0)),
      {{"bench", "daemon_follow"},
       {"switches", kSwitches},
       {"median_ms", percentile(moves, 0.5)},
       {"p90_ms", percentile(moves, 0.9)},
       {"max_ms", percentile(moves, 1.0)},
       {"target_ms", 1000}});
  const double cpu_before = cpu_seconds(daemon.pid());
  std::this_thread::sleep_for(10s);
  const double idle_cpu_percent = (cpu_seconds(daemon.pid()) - cpu_before) / 10.0 * 100.0;
  const long rss = rss_kib(daemon.pid());
  report(fmt::format("daemon while shaping, idle: RSS {} KiB, CPU {:.3f} % of one core over 10 s", rss,
                     idle_cpu_percent),
         {{"bench", "daemon_idle"}, {"rss_kib", rss}, {"idle_cpu_percent", idle_cpu_percent}});
  daemon.signal(SIGTERM);
  daemon.wait_for_exit(10s);
  std::remove(config.c_str());
  return 0;
}

}  // namespace
}  // namespace nettoll::bench

int main() { return nettoll::bench::run(); }
