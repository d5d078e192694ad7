// SPDX-License-Identifier: Apache-2.0
// The UDP probe (tests/system/udp_rtt_probe.cc) as the priority tests run
// it: an echo server in the "internet" namespace, renamed client copies
// that match rules, their figures, and the rules they are tested with.
// Shared by process_priority_test.cc (host processes) and container_test.cc
// (container processes).
#pragma once

#include <gtest/gtest.h>

#include <chrono>
#include <sstream>
#include <string>
#include <vector>

#include "child_process.h"

namespace nettoll::testing {

// The probe's UDP port in the "internet" namespace.
inline constexpr int kRttProbePort = 7000;

// A 20 Mbit/s upload with two rules: `call` (copies named ntcall...) at
// priority 0 → class 7a:10, `bulk` (ntbulk...) at priority 7 → 7a:11. A
// probe copy named ntbulk-probe lands in the bulk class ("ntbulk" is a
// prefix: TrafficToll's re.match semantics).
inline constexpr const char* kPriorityRules =
    "upload: 20mbit\nprocesses:\n"
    "  call:\n    match: [{name: ntcall}]\n    upload-priority: 0\n"
    "  bulk:\n    match: [{name: ntbulk}]\n    upload-priority: 7\n";

// The argv of the echo server in namespace `netns`; it prints "listening"
// once it is.
inline std::vector<std::string> rtt_probe_server(const std::string& netns) {
  return {"ip", "netns", "exec", netns, UDP_RTT_PROBE, "server", std::to_string(kRttProbePort)};
}

// The command line of probe copy `program` (in the current directory)
// sending `count` probes `interval_ms` apart to the server at `host`.
inline std::string rtt_probe_command(const std::string& program, const std::string& host, int count,
                                     int interval_ms) {
  return "./" + program + " client " + host + " " + std::to_string(kRttProbePort) + " " +
         std::to_string(count) + " " + std::to_string(interval_ms);
}

struct RttFigures {
  double median_ms = -1;  // -1: the probe printed no figures
  double p90_ms = -1;
  int lost = -1;
};

// The client's "median_ms p90_ms lost" line.
inline RttFigures parse_rtt_figures(const std::string& output) {
  RttFigures figures;
  std::istringstream(output) >> figures.median_ms >> figures.p90_ms >> figures.lost;
  return figures;
}

// Waits for the client `probe` (of copy `program`) to end; its median RTT
// in ms, -1 (and a failure) when it printed none.
inline double median_rtt_ms(ChildProcess& probe, const std::string& program) {
  EXPECT_TRUE(probe.wait_for_exit(std::chrono::seconds(15))) << program;
  const RttFigures figures = parse_rtt_figures(probe.output());
  EXPECT_GE(figures.median_ms, 0) << program << ": " << probe.output();
  return figures.median_ms;
}

}  // namespace nettoll::testing
