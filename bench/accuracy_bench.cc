// SPDX-License-Identifier: Apache-2.0
// Accuracy: configured global limit vs the rate measured on the wire (the root
// class 7a:1's byte counter on vA for upload, on ntb-vA for download), TCP and
// UDP, at 1/10/100/1000 Mbit/s. Target: error within 2%.
#include <fmt/format.h>

#include <cmath>
#include <cstdio>
#include <thread>

#include "bench_output.h"
#include "class_counter.h"
#include "iperf_traffic.h"
#include "shaping_session.h"
#include "testbed.h"

namespace nettoll::bench {
namespace {

using namespace std::chrono_literals;

constexpr double kTargetErrorPercent = 2.0;
constexpr double kUdpOverdrive = 1.2;  // UDP offers 20% more than the limit
constexpr int kRunSeconds = 5;
// The steady window: after slow start, before the end of the run.
constexpr auto kWindowStart = 1s;
constexpr auto kWindowEnd = 4s;

struct Case {
  bool download;
  bool udp;
};

double rounded(double value) { return std::round(value * 1000) / 1000; }

// One row of the table: `configured` Mbit/s against the wire rate of one iperf3 run.
void measure(const testing::Testbed& testbed, int configured, const Case& c) {
  const std::string direction = c.download ? "download" : "upload";
  const std::string proto = c.udp ? "udp" : "tcp";
  const std::string device = c.download ? "ntb-vA" : "vA";
  IperfTraffic traffic(testbed, {.download = c.download,
                                 .udp = c.udp,
                                 .udp_offered_mbit = configured * kUdpOverdrive,
                                 .seconds = kRunSeconds});
  std::this_thread::sleep_until(traffic.started() + kWindowStart);
  const auto before = read_class_counter(testbed.namespace_a(), device, "7a:1");
  std::this_thread::sleep_until(traffic.started() + kWindowEnd);
  const auto after = read_class_counter(testbed.namespace_a(), device, "7a:1");
  const auto iperf = traffic.wait_for_report();
  if (!before || !after || !iperf) {
    std::fprintf(stderr, "accuracy %s %s %d mbit: %s\n", direction.c_str(), proto.c_str(), configured,
                 iperf ? "class 7a:1 not found by tc" : traffic.error().c_str());
    report(fmt::format("  {:<8} {:<4} {:>5}  FAILED", direction, proto, configured),
           {{"bench", "accuracy"},
            {"direction", direction},
            {"proto", proto},
            {"configured_mbit", configured},
            {"error", "measurement failed"}});
    return;
  }
  const double wire = rate_mbit(*before, *after);
  const double error_pct = (wire - configured) / configured * 100;
  const double goodput = receiver_goodput_mbit(*iperf);
  const double sent = sender_mbit(*iperf);
  const double lost = udp_lost_percent(*iperf);
  const bool ok = std::abs(error_pct) <= kTargetErrorPercent;
  // A UDP sender that cannot offer the limit measures iperf3, not the shaper.
  const double offered_wire = sender_wire_mbit(*iperf);
  const bool sender_limited = c.udp && offered_wire < configured;
  const std::string verdict = ok ? "ok" : sender_limited ? "sender-limited" : "MISSED";
  report(fmt::format("  {:<8} {:<4} {:>5}  {:>9.3f}  {:>+7.2f} %  {:>9.3f}  {:>9.3f}  {:>9}  {:>6}  {}{}",
                     direction, proto, configured, wire, error_pct, goodput, sent,
                     c.udp ? fmt::format("{:.3f}", offered_wire) : std::string("-"),
                     c.udp ? fmt::format("{:.1f}%", lost) : std::string("-"), verdict,
                     sender_limited ? " (offered < limit)" : ""),
         {{"bench", "accuracy"},
          {"direction", direction},
          {"proto", proto},
          {"configured_mbit", configured},
          {"wire_mbit", rounded(wire)},
          {"error_pct", rounded(error_pct)},
          {"receiver_goodput_mbit", rounded(goodput)},
          {"sender_mbit", rounded(sent)},
          {"udp_offered_mbit", c.udp ? configured * kUdpOverdrive : 0.0},
          {"udp_offered_wire_mbit", c.udp ? rounded(offered_wire) : 0.0},
          {"udp_lost_pct", rounded(lost)},
          {"sender_limited", sender_limited},
          {"window_s", std::chrono::duration<double>(after->at - before->at).count()},
          {"target_error_pct", kTargetErrorPercent},
          {"meets_target", ok}});
}

int run() {
  testing::Testbed testbed;
  if (!testbed.setup_error().empty()) {
    std::fprintf(stderr, "accuracy_bench: %s\n", testbed.setup_error().c_str());
    return 2;
  }
  std::printf(
      "Accuracy: wire rate of the root class 7a:1 (tc byte counter, seconds %lld..%lld of a %d s iperf3 "
      "run); UDP offers %.0f%% of the limit\n",
      static_cast<long long>(kWindowStart.count()), static_cast<long long>(kWindowEnd.count()), kRunSeconds,
      kUdpOverdrive * 100);
  std::printf(
      "  Mbit/s: wire = class counter; goodput = iperf3 receiver (payload); sent = iperf3 sender (payload); "
      "offered = UDP sent as frames\n");
  std::printf("  %-8s %-4s %5s  %9s  %9s  %9s  %9s  %9s  %6s  target |error| <= %.0f%%\n", "dir", "prot",
              "limit", "wire", "error", "goodput", "sent", "offered", "lost", kTargetErrorPercent);
  int failures = 0;
  for (int configured : {1, 10, 100, 1000}) {
    ShapingSession session(testbed, fmt::format("upload: {0}mbit\ndownload: {0}mbit\n", configured));
    if (!session.error().empty()) {
      std::fprintf(stderr, "accuracy_bench at %d mbit: %s\n", configured, session.error().c_str());
      ++failures;
      continue;
    }
    for (const Case& c : {Case{false, false}, Case{true, false}, Case{false, true}, Case{true, true}}) {
      measure(testbed, configured, c);
    }
  }
  return failures == 0 ? 0 : 1;
}

}  // namespace
}  // namespace nettoll::bench

int main() { return nettoll::bench::run(); }
