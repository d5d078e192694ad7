// SPDX-License-Identifier: Apache-2.0
// Per-process classification, on each classifier path of the daemon
// (--classifier bpf: sockets tagged from their creation; u32: port filters
// refreshed by polling sock_diag):
//   (a) how much a new connection of a limited process gets through in its
//       first 500 ms (TrafficToll, polling every second: 23x the limit);
//   (b) the daemon's CPU and memory with a matched process holding 10,000
//       sockets while processes start and exit at 2,000 a minute;
//   (c) what classification costs an unlimited flow, up to 1,000 rules.
// Everything runs in a ProcessSandbox: two fresh namespaces and a cgroup of
// the benchmark's own, which the daemon's socket program is attached to.
//
//   process_bench [--only a|b|c] [PATH...]   PATH: bpf, u32 or auto (default: bpf u32)
//
// Takes about 4 minutes for both paths.
#include <cstdio>
#include <string>
#include <vector>

#include "process_churn.h"
#include "process_daemon.h"
#include "process_interruption.h"
#include "process_overshoot.h"
#include "process_sandbox.h"
#include "process_throughput.h"
#include "testbed.h"

namespace nettoll::bench {
namespace {

// The paths to measure from the command line; nullopt for an unknown one.
// Without --classifier in this nettoll, the one path it has ("" = no flag).
std::optional<std::vector<std::string>> classifier_paths(const std::vector<std::string>& arguments) {
  if (!daemon_takes_classifier_flag()) {
    std::printf("note: this nettoll's daemon has no --classifier flag: measuring its default path only\n");
    return std::vector<std::string>{""};
  }
  if (arguments.empty()) return std::vector<std::string>{"bpf", "u32"};
  for (const std::string& path : arguments) {
    if (path != "bpf" && path != "u32" && path != "auto") return std::nullopt;
  }
  return arguments;
}

int run(std::vector<std::string> arguments) {
  std::string only;  // one scenario, or "" for all
  if (arguments.size() >= 2 && arguments[0] == "--only") {
    only = arguments[1];
    arguments.erase(arguments.begin(), arguments.begin() + 2);
  }
  if (!testing::running_as_root()) {
    std::fprintf(stderr, "process_bench: needs root (network namespaces, tc, cgroups)\n");
    return 2;
  }
  const auto paths = classifier_paths(arguments);
  if (!paths || (!only.empty() && only != "a" && only != "b" && only != "c")) {
    std::fprintf(stderr, "usage: process_bench [--only a|b|c] [bpf|u32|auto]...\n");
    return 2;
  }
  catch_interruptions();
  ProcessSandbox sandbox;
  if (!sandbox.setup_error().empty()) {
    std::fprintf(stderr, "process_bench: %s\n", sandbox.setup_error().c_str());
    return 2;
  }
  if (!sandbox.install_copy("/usr/bin/iperf3", "ntbulk") ||
      !sandbox.install_copy("/usr/bin/iperf3", "ntfast")) {
    return 2;
  }
  std::printf(
      "Per-process classification: daemon in a test namespace, rules matching renamed iperf3 copies\n");
  const auto selected = [&](const char* scenario) {
    return !interrupted() && (only.empty() || only == scenario);
  };
  bool measured = true;
  if (selected("a")) measured = report_first_500ms(sandbox, *paths) && measured;
  if (selected("b")) measured = report_churn_cpu(sandbox, *paths, PROCESS_SOCKET_HOLDER) && measured;
  if (selected("c")) measured = report_unshaped_throughput(sandbox, *paths) && measured;
  if (interrupted()) std::fprintf(stderr, "process_bench: interrupted, cleaned up\n");
  return measured && !interrupted() ? 0 : 1;
}

}  // namespace
}  // namespace nettoll::bench

int main(int argc, char** argv) {
  return nettoll::bench::run(std::vector<std::string>(argv + 1, argv + argc));
}
