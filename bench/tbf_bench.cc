// SPDX-License-Identifier: Apache-2.0
// Interface limits: the rate a tbf achieves on the wire (its qdisc byte
// counter on vA, seconds 1..4 of a 5 s iperf3 upload) with the auto burst,
// 2 frames and 1 frame, at 1, 10 and 100 Mbit/s; and the RTT a full tbf
// queue adds (ping under a bulk upload) against the configured latency.
#include <fmt/format.h>
#include <signal.h>

#include <cmath>
#include <cstdio>
#include <thread>

#include "bench_output.h"
#include "iperf_traffic.h"
#include "ping_rtt.h"
#include "qdisc_counter.h"
#include "shaping_session.h"
#include "testbed.h"

namespace nettoll::bench {
namespace {

using namespace std::chrono_literals;

constexpr int kRunSeconds = 5;
constexpr auto kWindowStart = 1s;
constexpr auto kWindowEnd = 4s;

// "Sent N bytes" of the tbf 7b: on vA, read with tc from outside.
std::optional<testing::QdiscReading> read_tbf_counter(const testing::Testbed& testbed) {
  return testing::read_qdisc_counter(testbed.namespace_a(), "vA", "7b:");
}

double rounded(double value) { return std::round(value * 1000) / 1000; }

void measure_rate(const testing::Testbed& testbed, int mbit, const std::string& burst_name,
                  const std::string& burst) {
  ShapingSession session(testbed,
                         fmt::format("interfaces:\n  vA: {{rate: {}mbit, burst: {}}}\n", mbit, burst));
  if (!session.error().empty()) {
    std::fprintf(stderr, "tbf_bench %d mbit burst %s: %s\n", mbit, burst.c_str(), session.error().c_str());
    return;
  }
  IperfTraffic traffic(testbed, {.seconds = kRunSeconds});
  std::this_thread::sleep_until(traffic.started() + kWindowStart);
  const auto before = read_tbf_counter(testbed);
  std::this_thread::sleep_until(traffic.started() + kWindowEnd);
  const auto after = read_tbf_counter(testbed);
  const auto report_json = traffic.wait_for_report();
  if (!before || !after || !report_json) {
    report(fmt::format("  {:>5} {:<9} FAILED", mbit, burst_name), {{"bench", "tbf_rate"},
                                                                   {"configured_mbit", mbit},
                                                                   {"burst", burst_name},
                                                                   {"error", "measurement failed"}});
    return;
  }
  const double wire = testing::rate_mbit(*before, *after);
  report(fmt::format("  {:>5} {:<9} {:>9.3f}  {:>6.3f}", mbit, burst_name, wire, wire / mbit),
         {{"bench", "tbf_rate"},
          {"configured_mbit", mbit},
          {"burst", burst_name},
          {"wire_mbit", rounded(wire)},
          {"ratio", rounded(wire / mbit)}});
}

void measure_latency(const testing::Testbed& testbed, int mbit, int latency_ms) {
  ShapingSession session(
      testbed, fmt::format("interfaces:\n  vA: {{rate: {}mbit, latency: {}ms}}\n", mbit, latency_ms));
  if (!session.error().empty()) {
    std::fprintf(stderr, "tbf_bench latency: %s\n", session.error().c_str());
    return;
  }
  const RttSummary idle = ping_from_a(testbed, 20, 20);
  IperfTraffic traffic(testbed, {.streams = 4, .seconds = kRunSeconds});
  std::this_thread::sleep_until(traffic.started() + kWindowStart);
  const RttSummary loaded = ping_from_a(testbed, 50, 50);
  traffic.wait_for_report();
  const double added = loaded.p50_ms - idle.p50_ms;
  report(fmt::format("  {:>5} {:>10} {:>9.2f} {:>9.2f} {:>9.2f} {:>9.2f}   {}/{} replies", mbit, latency_ms,
                     idle.p50_ms, loaded.p50_ms, loaded.p99_ms, added, loaded.rtts_ms.size(), loaded.sent),
         {{"bench", "tbf_latency"},
          {"configured_mbit", mbit},
          {"configured_latency_ms", latency_ms},
          {"idle_p50_ms", rounded(idle.p50_ms)},
          {"loaded_p50_ms", rounded(loaded.p50_ms)},
          {"loaded_p99_ms", rounded(loaded.p99_ms)},
          {"added_p50_ms", rounded(added)},
          {"replies", loaded.rtts_ms.size()},
          {"sent", loaded.sent}});
}

int run() {
  testing::Testbed testbed;
  if (!testbed.setup_error().empty()) {
    std::fprintf(stderr, "tbf_bench: %s\n", testbed.setup_error().c_str());
    return 2;
  }
  std::printf(
      "TBF rate vs burst: wire rate of tbf 7b: on vA (tc byte counter, seconds %lld..%lld of a %d s "
      "iperf3 upload); frame = 1514 bytes\n",
      static_cast<long long>(kWindowStart.count()), static_cast<long long>(kWindowEnd.count()), kRunSeconds);
  std::printf("  %5s %-9s %9s  %6s\n", "Mbit", "burst", "wire", "ratio");
  for (int mbit : {1, 10, 100}) {
    measure_rate(testbed, mbit, "auto", "auto");
    measure_rate(testbed, mbit, "2 frames", "3028");
    measure_rate(testbed, mbit, "1 frame", "1514");
  }
  std::printf("RTT added by a full tbf queue (4 bulk TCP uploads, ping every 50 ms), ms\n");
  std::printf("  %5s %10s %9s %9s %9s %9s\n", "Mbit", "latency", "idle p50", "load p50", "load p99", "added");
  for (auto [mbit, latency] : {std::pair{1, 50}, std::pair{10, 50}, std::pair{10, 20}}) {
    measure_latency(testbed, mbit, latency);
  }
  return 0;
}

}  // namespace
}  // namespace nettoll::bench

int main() { return nettoll::bench::run(); }
