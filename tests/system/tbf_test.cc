// SPDX-License-Identifier: Apache-2.0
// Interface limits (`interfaces:`) end to end: `nettoll daemon` in a
// namespace with no default route at all, iperf3 through the tbf on a veth
// and through a tun device carried by a process, as a VPN's is (egress and
// ingress, rate on the wire within 5 %), a tun device's frame without a
// link-layer header, a device that appears after the start, goes and comes
// back, `nettoll set` under load, and a clean stop. Also the measurement `explain` quotes: at
// 100 Mbit/s, the auto burst against 2 frames and 1 frame.
#include <gtest/gtest.h>
#include <signal.h>

#include <chrono>
#include <cstdio>
#include <memory>
#include <nlohmann/json.hpp>
#include <thread>

#include "child_process.h"
#include "daemon_fixture.h"
#include "qdisc_counter.h"
#include "testbed.h"
#include "tun_tunnel.h"

namespace nettoll::testing {
namespace {

using namespace std::chrono_literals;
using Clock = std::chrono::steady_clock;

constexpr int kIperfPort = 5233;

// A full-sized TCP segment over IPv4 with timestamps (52 bytes of headers)
// as the tbf counts it: with the link-layer header (14 on Ethernet, none on
// a tun), without the payload's share.
struct Frames {
  double wire_bytes;
  double payload_bytes;
};
constexpr Frames kVethFrames{1514, 1448};
constexpr Frames kTunFrames{1420, 1368};  // MTU 1420, as WireGuard's

// The rate on the wire, Mbit/s, in seconds [first, end) of an iperf3 test,
// from the receiving client's per-second intervals, timed by its own clock
// as the bytes arrive. The sender's intervals count writes into a send
// buffer of megabytes, and a `tc` reading of the qdisc's counter happens at
// a time known only to tens of milliseconds on a loaded machine (both were
// tried, see SetChangesTheRateInPlaceUnderLoad). Payload becomes wire bytes
// with `frames`. A shortfall is possible (retransmitted bytes are not
// payload, TCP may leave the bucket idle), an excess is not. 0 after an error.
double receiver_wire_mbit(const nlohmann::json& report, int first, int end, const Frames& frames) {
  const nlohmann::json intervals = report.value("intervals", nlohmann::json());
  if (!intervals.is_array() || static_cast<int>(intervals.size()) < end) {
    ADD_FAILURE() << "iperf3 gave no intervals up to second " << end << ": " << report.dump();
    return 0;
  }
  double bytes = 0;
  double seconds = 0;
  for (int i = first; i < end; ++i) {
    bytes += intervals[i]["sum"].value("bytes", 0.0);
    seconds += intervals[i]["sum"].value("seconds", 0.0);
  }
  if (seconds <= 0) return 0;
  return bytes * 8 / seconds / 1e6 * frames.wire_bytes / frames.payload_bytes;
}

// The two ends of a path from A to B.
struct Path {
  std::string a;
  std::string b;
};
// A tbf's rate on the wire: never above the limit (5 % for the measurement
// window's edges), and below it only by what a loaded 2-core machine's
// sender falls short (seen: 9.11 of 10 Mbit/s at load 15). The deficit is
// the sender's, so the tolerance is one-sided.
::testing::AssertionResult rate_held(double achieved_mbit, double limit_mbit, double above = 0.05) {
  if (achieved_mbit > limit_mbit * (1 + above)) {
    return ::testing::AssertionFailure() << achieved_mbit << " Mbit/s is above the limit of " << limit_mbit;
  }
  if (achieved_mbit < limit_mbit * 0.88) {
    return ::testing::AssertionFailure() << achieved_mbit << " Mbit/s is more than 12 % below " << limit_mbit;
  }
  return ::testing::AssertionSuccess();
}

const Path kVethPath{"10.77.0.1", "10.77.0.2"};
const Path kTunPath{"10.79.0.1", "10.79.0.2"};

class TbfTest : public DaemonFixture {
 protected:
  TbfTest() : DaemonFixture("tbf") {}

  std::string qdiscs(const std::string& device) const {
    return in_a("tc qdisc show dev " + device + " 2>&1");
  }

  // Waits up to `limit` until `device`'s qdiscs contain (or lack) `text`.
  bool wait_for_qdisc(const std::string& device, const std::string& text, bool present = true,
                      std::chrono::milliseconds limit = 5s) const {
    return eventually([&] { return (qdiscs(device).find(text) != std::string::npos) == present; }, limit);
  }

  bool device_exists(const std::string& device) const {
    return in_a("ip link show " + device + " >/dev/null 2>&1 && echo yes").find("yes") != std::string::npos;
  }

  // An iperf3 test of `seconds` over `path`, A to B (or B to A with
  // `download`), with per-second intervals. The client always receives (-R)
  // so that its own JSON has the receiver's intervals: in B for an upload,
  // in A for a download; the one-test server is started in the other end
  // first, and the client once it listens. `extra` goes on the client's
  // command line.
  std::unique_ptr<ChildProcess> start_iperf(const Path& path, bool download, int seconds,
                                            const std::vector<std::string>& extra = {}) const {
    const std::string& server_namespace = download ? testbed_->namespace_b() : testbed_->namespace_a();
    const std::string& client_namespace = download ? testbed_->namespace_a() : testbed_->namespace_b();
    testbed_->run_in(server_namespace, "iperf3 -s -1 -D -p " + std::to_string(kIperfPort));
    EXPECT_TRUE(testbed_->wait_for_listener(server_namespace, kIperfPort, 5s));
    std::vector<std::string> argv{"ip",
                                  "netns",
                                  "exec",
                                  client_namespace,
                                  "iperf3",
                                  "-J",
                                  "-R",
                                  "-i",
                                  "1",
                                  "-t",
                                  std::to_string(seconds),
                                  "-p",
                                  std::to_string(kIperfPort),
                                  "-c",
                                  download ? path.b : path.a};
    argv.insert(argv.end(), extra.begin(), extra.end());
    return std::make_unique<ChildProcess>(argv);
  }

  // The client's JSON report once it exited 0; a discarded value otherwise.
  static nlohmann::json report_of(ChildProcess& client, std::chrono::seconds limit) {
    const std::optional<int> status = client.wait_for_exit(limit);
    EXPECT_EQ(status, 0) << client.output();
    if (status != 0) return nlohmann::json(nlohmann::json::value_t::discarded);
    return nlohmann::json::parse(client.output(), nullptr, false);
  }

  nlohmann::json run_iperf(const Path& path, bool download, int seconds,
                           const std::vector<std::string>& extra = {}) const {
    const auto client = start_iperf(path, download, seconds, extra);
    return report_of(*client, std::chrono::seconds(seconds + 5));
  }

  // The rate on the wire of a 5 s TCP test in seconds 1 to 4: slow start
  // and the test's end left out.
  double wire_mbit(bool download, const Frames& frames = kVethFrames, const Path& path = kVethPath,
                   const std::vector<std::string>& extra = {}) const {
    return receiver_wire_mbit(run_iperf(path, download, 5, extra), 1, 4, frames);
  }

  // The receiver's goodput over a whole test, Mbit/s.
  double goodput_mbit(const Path& path, bool download, int seconds) const {
    return run_iperf(path, download, seconds).value("/end/sum_received/bits_per_second"_json_pointer, 0.0) /
           1e6;
  }
};

// No default route in A: there is no managed interface, and the limit holds.
TEST_F(TbfTest, EgressRateOnAVethWithoutADefaultRoute) {
  start_daemon("interfaces:\n  vA: {rate: 10mbit}\n");
  ASSERT_TRUE(wait_for_qdisc("vA", "tbf 7b:")) << qdiscs("vA") << daemon_->output();
  EXPECT_NE(daemon_->output().find("managed interface: none"), std::string::npos) << daemon_->output();
  const double achieved = wire_mbit(false);
  std::printf("egress through the tbf at 10mbit: %.3f Mbit/s on the wire\n", achieved);
  EXPECT_TRUE(rate_held(achieved, 10.0));
  stop_daemon();
  EXPECT_EQ(qdiscs("vA").find("tbf"), std::string::npos) << qdiscs("vA");
}

// The rate comes from the receiver's seconds 1 to 4 (wire_mbit). This test
// once read 11 % over from iperf3's end summary of `-R -O 1 -t 4`; three
// runs of that measurement on a loaded machine gave 0.97-1.00 of the rate,
// with the summary equal to the sum of its non-omitted intervals (so not
// iperf3's old reverse-mode omit bug, esnet/iperf#443), and the excess was
// not reproduced. A summary leans on iperf3's bookkeeping of the omit
// period and the test's end (the seconds in which the IFB's queue fills
// and drains); the receiver's own per-second counts in the middle of the
// test do not.
TEST_F(TbfTest, IngressRateThroughAnIfbOfItsOwn) {
  start_daemon("interfaces:\n  vA: {rate: 10mbit, direction: ingress}\n");
  ASSERT_TRUE(wait_for_qdisc("ntl-vA", "tbf 7b:")) << daemon_->output();
  EXPECT_EQ(qdiscs("vA").find("tbf"), std::string::npos) << "egress is not limited: " << qdiscs("vA");
  const double achieved = wire_mbit(true);
  std::printf("ingress through the IFB's tbf at 10mbit: %.3f Mbit/s on the wire\n", achieved);
  EXPECT_TRUE(rate_held(achieved, 10.0)) << in_a("tc -s qdisc show dev ntl-vA");
  EXPECT_GT(goodput_mbit(kVethPath, false, 2), 50.0) << "upload is not limited";
  stop_daemon();
  EXPECT_FALSE(device_exists("ntl-vA"));
  EXPECT_EQ(qdiscs("vA").find("clsact"), std::string::npos) << qdiscs("vA");
}

// A tun device (no link-layer header, like WireGuard) gets a bucket of one
// MTU, not MTU + 14; it appears after the daemon started, goes and comes back.
TEST_F(TbfTest, TunDeviceAppearsLateGoesAndComesBack) {
  start_daemon("interfaces:\n  tun7: {rate: 1mbit, direction: both}\n");
  const std::string make_tun = "ip tuntap add dev tun7 mode tun && ip link set tun7 mtu 1420 up";
  in_a(make_tun);
  ASSERT_TRUE(wait_for_qdisc("tun7", "tbf 7b:")) << qdiscs("tun7") << daemon_->output();
  EXPECT_NE(qdiscs("tun7").find("burst 1420b"), std::string::npos) << qdiscs("tun7");
  ASSERT_TRUE(wait_for_qdisc("ntl-tun7", "tbf 7b:")) << daemon_->output();
  EXPECT_NE(in_a("tc filter show dev tun7 ingress").find("ntl-tun7"), std::string::npos);

  in_a("ip link del tun7");
  EXPECT_TRUE(eventually([&] { return !device_exists("ntl-tun7"); }, 5s)) << "the IFB goes with its device";

  in_a(make_tun);
  EXPECT_TRUE(wait_for_qdisc("tun7", "tbf 7b:")) << daemon_->output();
  EXPECT_TRUE(wait_for_qdisc("ntl-tun7", "tbf 7b:")) << daemon_->output();
  stop_daemon();
  EXPECT_FALSE(device_exists("ntl-tun7"));
  EXPECT_EQ(qdiscs("tun7").find("tbf"), std::string::npos) << qdiscs("tun7");
}

// `nettoll set` under load: the flow keeps running (no flush, the qdisc's
// counters carry on), and the new rate holds within 2 s: seconds 4 to 7 of
// the receiver's intervals, the set at second 2. Measured here before:
// 4.36 Mbit/s from the sender's intervals (writes into a send buffer that
// TCP had grown at 20 Mbit/s: lumpy, with a second of 0 bytes while the flow
// ran on) and 5.33 from `tc` readings of the tbf's counter (half-second
// windows scattered 4.7-5.3 while the tbf held a backlog and dropped
// nothing, so it sent exactly 5 Mbit/s: the scatter is when `tc` read).
TEST_F(TbfTest, SetChangesTheRateInPlaceUnderLoad) {
  start_daemon("interfaces:\n  vA: {rate: 20mbit}\n");
  ASSERT_TRUE(wait_for_qdisc("vA", "tbf 7b:")) << daemon_->output();
  // A send buffer that TCP grew at 20 Mbit/s holds seconds of data at
  // 5 Mbit/s, which the test's end would wait for: bound it.
  const auto client = start_iperf(kVethPath, false, 8, {"-w", "256K"});
  std::this_thread::sleep_until(Clock::now() + 2s);
  const auto before_set = read_qdisc_counter(testbed_->namespace_a(), "vA", "7b:");
  ASSERT_TRUE(before_set) << qdiscs("vA");
  const CommandOutput set =
      run_command(nettoll_binary() + " set vA rate 5mbit --socket " + socket_path_ + " 2>&1");
  ASSERT_EQ(set.exit_status, 0) << set.output;
  const auto after_set = read_qdisc_counter(testbed_->namespace_a(), "vA", "7b:");
  ASSERT_TRUE(after_set) << qdiscs("vA");
  EXPECT_GE(after_set->bytes, before_set->bytes) << "the qdisc was changed, not replaced";
  EXPECT_NE(qdiscs("vA").find("rate 5Mbit"), std::string::npos) << qdiscs("vA");

  const nlohmann::json report = report_of(*client, 15s);
  ASSERT_FALSE(report.is_discarded()) << client->output();
  const double after_change = receiver_wire_mbit(report, 4, 7, kVethFrames);
  std::printf("2-5 s after set 5mbit: %.3f Mbit/s on the wire\n", after_change);
  EXPECT_NEAR(after_change, 5.0, 0.15);
  // The receiver's seconds 0-7 (and the fraction of a second it needs to
  // see the end): every one carried data, on the same connection.
  const nlohmann::json received = report.value("intervals", nlohmann::json());
  ASSERT_GE(received.size(), 8u) << report.dump();
  for (size_t i = 0; i < 8; ++i) {
    EXPECT_GT(received[i]["sum"].value("bytes", 0.0), 0.0) << "the flow stalled: " << received[i].dump();
  }
  EXPECT_NE(status().output.find("set: vA rate 5mbit, overriding the config's 20mbit until the next reload"),
            std::string::npos)
      << status().output;
  daemon_->signal(SIGHUP);
  EXPECT_TRUE(wait_for_qdisc("vA", "rate 20Mbit")) << qdiscs("vA");
  stop_daemon();
}

// WireGuard's shape without WireGuard: a tun device in A whose packets a
// process (the test's tunnel copier) carries to a tun device in B, a subnet
// routed over it. Its link type is ARPHRD_NONE: the tbf counts IP packets
// alone, with no link-layer header (the bucket of such a device is checked
// in TunDeviceAppearsLateGoesAndComesBack; here 15 Mbit/s at HZ 250 gives a
// tick's worth, 7500 bytes, above one frame).
TEST_F(TbfTest, RateThroughATunDeviceBothWays) {
  TunTunnel tunnel(testbed_->namespace_a(), "tun-x", testbed_->namespace_b(), "tun-y");
  ASSERT_EQ(tunnel.error(), "");
  ASSERT_EQ(
      testbed_->run_in_a("ip link set tun-x mtu 1420 txqueuelen 16 up && ip addr add 10.79.0.1/24 dev tun-x")
          .exit_status,
      0);
  ASSERT_EQ(
      testbed_->run_in_b("ip link set tun-y mtu 1420 up && ip addr add 10.79.0.2/24 dev tun-y").exit_status,
      0);
  // tun-x's queue sits after its tbf: packets the copier has not read yet
  // wait there. With the default 500 packets (5.7 Mbit), a copier that a
  // loaded machine wakes late delivers a second's worth in the next one and
  // the receiver's seconds show more than the tbf let through; with 16 it
  // can only drop (a deficit, which TCP makes up), never move bytes across
  // the measured seconds.
  // The copier is not the bottleneck: unshaped, the tunnel carries far more.
  const double unshaped = goodput_mbit(kTunPath, false, 2);
  std::printf("unshaped over the tunnel: %.1f Mbit/s\n", unshaped);
  ASSERT_GT(unshaped, 5 * 15.0);
  // Writes into a device that is not up yet fail (IPv6 solicitations at
  // set-up); what counts is that none fails under the limit.
  const uint64_t failed_before = tunnel.failed_writes();

  start_daemon("interfaces:\n  tun-x: {rate: 15mbit, direction: both}\n");
  ASSERT_TRUE(wait_for_qdisc("tun-x", "tbf 7b:")) << qdiscs("tun-x") << daemon_->output();
  ASSERT_TRUE(wait_for_qdisc("ntl-tun-x", "tbf 7b:")) << daemon_->output();
  // Two flows: the copier is a process on a loaded machine, and a flow
  // that waits on it (a late wake-up, a retransmission) must not leave the
  // bucket idle; the rate the tbf gives both is what is measured.
  const double egress = wire_mbit(false, kTunFrames, kTunPath, {"-P", "2"});
  const double ingress = wire_mbit(true, kTunFrames, kTunPath, {"-P", "2"});
  std::printf("through the tun: egress %.3f, ingress %.3f Mbit/s at 15mbit\n", egress, ingress);
  // The tunnel's copier is a process on a loaded machine: the receiver's
  // one-second reports bunch its writes across their edges (15.88 of 15
  // seen while the tbf itself dropped 3868 packets): 8 % above.
  EXPECT_TRUE(rate_held(egress, 15.0, 0.08)) << in_a("tc -s qdisc show dev tun-x; ip -s link show tun-x");
  EXPECT_TRUE(rate_held(ingress, 15.0, 0.08))
      << in_a("tc -s qdisc show dev ntl-tun-x; ip -s link show tun-x");
  EXPECT_EQ(tunnel.failed_writes(), failed_before) << "the copier lost packets";
  stop_daemon();
}

// Does rate/HZ still matter with high-resolution timers? At 100 Mbit/s and
// HZ 250 a tick's worth is 50000 bytes; compare with 2 frames and 1 frame.
// The figures are printed for `explain` (src/cli/tbf_measurements.h).
TEST_F(TbfTest, BurstOfATickAgainstTwoFramesAndOneAt100Mbit) {
  double achieved[3] = {};
  const char* bursts[3] = {"auto", "3028", "1514"};
  for (int i = 0; i < 3; ++i) {
    start_daemon(std::string("interfaces:\n  vA: {rate: 100mbit, burst: ") + bursts[i] + "}\n");
    ASSERT_TRUE(wait_for_qdisc("vA", "tbf 7b:")) << daemon_->output();
    achieved[i] = wire_mbit(false);
    stop_daemon();
    std::printf("burst %-5s: %.1f Mbit/s on the wire (%.3f of 100mbit)\n", bursts[i], achieved[i],
                achieved[i] / 100.0);
  }
  EXPECT_NEAR(achieved[0], 100.0, 5.0) << "the auto burst reaches the rate";
  // Smaller buckets may fall short, never exceed.
  EXPECT_LT(achieved[1], 105.0);
  EXPECT_LT(achieved[2], 105.0);
}

}  // namespace
}  // namespace nettoll::testing
