// SPDX-License-Identifier: Apache-2.0
// Interface limits (`interfaces:`) end to end: `nettoll daemon` in a
// namespace with no default route at all, iperf3 through the tbf on a veth
// (egress and ingress, rate on the wire within 5 %), a tun device's frame
// without a link-layer header, a device that appears after the start, goes
// and comes back, and a clean stop. Also the measurement `explain` quotes: at
// 100 Mbit/s, the auto burst against 2 frames and 1 frame.
#include <gtest/gtest.h>
#include <signal.h>

#include <chrono>
#include <cstdio>
#include <filesystem>
#include <fstream>
#include <memory>
#include <nlohmann/json.hpp>
#include <thread>

#include "child_process.h"
#include "testbed.h"

namespace nettoll::testing {
namespace {

using namespace std::chrono_literals;
using Clock = std::chrono::steady_clock;

// TCP over IPv4 with timestamps: 1448 payload bytes per 1514-byte frame.
constexpr double kWirePerGoodput = 1514.0 / 1448.0;
constexpr int kIperfPort = 5233;

class TbfTest : public ::testing::Test {
 protected:
  void SetUp() override {
    if (!running_as_root()) GTEST_SKIP() << "system tests need root (network namespaces, tc)";
    testbed_ = std::make_unique<Testbed>();
    ASSERT_EQ(testbed_->setup_error(), "");
    const std::string id = std::to_string(getpid());
    config_path_ = "/tmp/nettoll-tbf-test-" + id + ".yaml";
    socket_path_ = "/tmp/nettoll-tbf-test-" + id + ".sock";
    runtime_dir_ = "/tmp/nettoll-tbf-test-" + id + ".run";
    // A real WAN delivers MTU-sized frames (KERNEL.md, "A testbed that models a real uplink").
    in_b("ethtool -K vB tso off gso off >/dev/null 2>&1");
  }
  void TearDown() override {
    daemon_.reset();
    std::remove(config_path_.c_str());
    std::filesystem::remove_all(runtime_dir_);
  }

  std::string in_a(const std::string& command) const { return testbed_->run_in_a(command).output; }
  std::string in_b(const std::string& command) const { return testbed_->run_in_b(command).output; }

  void start_daemon(const std::string& config) {
    std::ofstream(config_path_) << config;
    daemon_ = std::make_unique<ChildProcess>(std::vector<std::string>{
        nettoll_binary(), "daemon", "-c", config_path_, "--netns", testbed_->namespace_a(), "--socket",
        socket_path_, "--runtime-dir", runtime_dir_});
    ASSERT_TRUE(daemon_->wait_for_output("managed interface", 10s)) << daemon_->output();
  }

  void stop_daemon() {
    daemon_->signal(SIGTERM);
    ASSERT_EQ(daemon_->wait_for_exit(10s), 0) << daemon_->output();
  }

  std::string qdiscs(const std::string& device) const {
    return in_a("tc qdisc show dev " + device + " 2>&1");
  }

  // Waits up to `limit` until `device`'s qdiscs contain (or lack) `text`.
  bool wait_for_qdisc(const std::string& device, const std::string& text, bool present = true,
                      std::chrono::milliseconds limit = 5s) const {
    const auto start = Clock::now();
    while (Clock::now() - start < limit) {
      if ((qdiscs(device).find(text) != std::string::npos) == present) return true;
      std::this_thread::sleep_for(20ms);
    }
    return false;
  }

  bool device_exists(const std::string& device) const {
    return in_a("ip link show " + device + " >/dev/null 2>&1 && echo yes").find("yes") != std::string::npos;
  }

  // TCP from A to B (or B to A with `download`) for `seconds`, the first one
  // left out (slow start); the receiver's rate on the wire in Mbit/s.
  double iperf_wire_mbit(bool download, int seconds = 4) const {
    in_b("iperf3 -s -1 -D -p " + std::to_string(kIperfPort));
    const auto start = Clock::now();
    while (Clock::now() - start < 5s &&
           in_b("ss -ltnH 'sport = :" + std::to_string(kIperfPort) + "'").find("LISTEN") ==
               std::string::npos) {
      std::this_thread::sleep_for(10ms);
    }
    const std::string report = in_a("iperf3 -J -O 1 -t " + std::to_string(seconds) + " -p " +
                                    std::to_string(kIperfPort) + (download ? " -R" : "") + " -c 10.77.0.2");
    const auto json = nlohmann::json::parse(report, nullptr, false);
    if (json.is_discarded() || !json.contains("end")) {
      ADD_FAILURE() << "iperf3 failed: " << report;
      return 0;
    }
    return json["end"]["sum_received"].value("bits_per_second", 0.0) * kWirePerGoodput / 1e6;
  }

  // "Sent N bytes" of the tbf 7b: on vA; 0 when it is not there.
  uint64_t tbf_sent_bytes() const {
    const std::string output = in_a("tc -s qdisc show dev vA");
    const size_t tbf = output.find("qdisc tbf 7b:");
    const size_t sent = output.find("Sent ", tbf == std::string::npos ? output.size() : tbf);
    return sent == std::string::npos ? 0 : std::stoull(output.substr(sent + 5));
  }

  std::unique_ptr<Testbed> testbed_;
  std::unique_ptr<ChildProcess> daemon_;
  std::string config_path_;
  std::string runtime_dir_;
  std::string socket_path_;
};

// No default route in A: there is no managed interface, and the limit holds.
TEST_F(TbfTest, EgressRateOnAVethWithoutADefaultRoute) {
  start_daemon("interfaces:\n  vA: {rate: 10mbit}\n");
  ASSERT_TRUE(wait_for_qdisc("vA", "tbf 7b:")) << qdiscs("vA") << daemon_->output();
  EXPECT_NE(daemon_->output().find("managed interface: none"), std::string::npos) << daemon_->output();
  EXPECT_NEAR(iperf_wire_mbit(false), 10.0, 0.5);
  stop_daemon();
  EXPECT_EQ(qdiscs("vA").find("tbf"), std::string::npos) << qdiscs("vA");
}

TEST_F(TbfTest, IngressRateThroughAnIfbOfItsOwn) {
  start_daemon("interfaces:\n  vA: {rate: 10mbit, direction: ingress}\n");
  ASSERT_TRUE(wait_for_qdisc("ntl-vA", "tbf 7b:")) << daemon_->output();
  EXPECT_EQ(qdiscs("vA").find("tbf"), std::string::npos) << "egress is not limited: " << qdiscs("vA");
  EXPECT_NEAR(iperf_wire_mbit(true), 10.0, 0.5) << in_a("tc -s qdisc show dev ntl-vA");
  EXPECT_GT(iperf_wire_mbit(false), 50.0) << "upload is not limited";
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
// counters carry on), and the new rate holds within 2 s.
TEST_F(TbfTest, SetChangesTheRateInPlaceUnderLoad) {
  start_daemon("interfaces:\n  vA: {rate: 20mbit}\n");
  ASSERT_TRUE(wait_for_qdisc("vA", "tbf 7b:")) << daemon_->output();
  in_b("iperf3 -s -1 -D -p " + std::to_string(kIperfPort));
  const auto listen_start = Clock::now();
  while (Clock::now() - listen_start < 5s &&
         in_b("ss -ltnH 'sport = :" + std::to_string(kIperfPort) + "'").find("LISTEN") == std::string::npos) {
    std::this_thread::sleep_for(10ms);
  }
  ChildProcess client({"ip", "netns", "exec", testbed_->namespace_a(), "iperf3", "-J", "-i", "1", "-t", "7",
                       "-p", std::to_string(kIperfPort), "-c", "10.77.0.2"});
  const auto started = Clock::now();
  std::this_thread::sleep_until(started + 2s);
  const uint64_t before_set = tbf_sent_bytes();
  const CommandOutput set =
      run_command(nettoll_binary() + " set vA rate 5mbit --socket " + socket_path_ + " 2>&1");
  ASSERT_EQ(set.exit_status, 0) << set.output;
  const auto set_at = Clock::now();
  EXPECT_GE(tbf_sent_bytes(), before_set) << "the qdisc was changed, not replaced";
  std::this_thread::sleep_until(set_at + 2s);
  const uint64_t window_start = tbf_sent_bytes();
  const auto window_start_at = Clock::now();
  std::this_thread::sleep_until(set_at + 4s);
  const double seconds = std::chrono::duration<double>(Clock::now() - window_start_at).count();
  const double wire_mbit = static_cast<double>(tbf_sent_bytes() - window_start) * 8 / seconds / 1e6;
  // The tbf's own byte counter (read with tc, a few ms per reading): measured
  // 5.33 here at 5mbit, so this checks that the new rate holds, loosely.
  EXPECT_NEAR(wire_mbit, 5.0, 0.5) << "wire rate 2-4 s after set";
  ASSERT_EQ(client.wait_for_exit(10s), 0) << client.output();
  const auto report = nlohmann::json::parse(client.output(), nullptr, false);
  ASSERT_FALSE(report.is_discarded()) << client.output();
  ASSERT_EQ(report["intervals"].size(), 7u) << client.output();
  for (const auto& interval : report["intervals"]) {
    EXPECT_GT(interval["sum"].value("bytes", 0.0), 0.0) << "the flow stalled: " << interval.dump();
  }
  const std::string status =
      run_command(nettoll_binary() + " status --socket " + socket_path_ + " 2>&1").output;
  EXPECT_NE(status.find("set: vA rate 5mbit, overriding the config's 20mbit until the next reload"),
            std::string::npos)
      << status;
  daemon_->signal(SIGHUP);
  EXPECT_TRUE(wait_for_qdisc("vA", "rate 20Mbit")) << qdiscs("vA");
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
    achieved[i] = iperf_wire_mbit(false);
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
