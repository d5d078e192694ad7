// SPDX-License-Identifier: Apache-2.0
// `nettoll daemon` in a namespace testbed: it follows the active interface
// (default route changes, wg-quick-style policy routing, an interface that
// goes away and comes back), reloads on SIGHUP without losing shaping,
// answers `nettoll status`, and leaves the namespace as it found it.
#include <gtest/gtest.h>
#include <signal.h>

#include <chrono>
#include <fstream>

#include "daemon_fixture.h"
#include "tc_text.h"
#include "testbed.h"

namespace nettoll::testing {
namespace {

using namespace std::chrono_literals;
using Clock = std::chrono::steady_clock;

class DaemonTest : public DaemonFixture {
 protected:
  DaemonTest() : DaemonFixture("daemon") {}
  void SetUp() override {
    DaemonFixture::SetUp();
    if (IsSkipped() || HasFatalFailure()) return;
    in_a("ip route add default via 10.77.0.2 dev vA");
  }

  // A second uplink from A to B: vA2 (10.78.0.1) – vB2 (10.78.0.2).
  void add_second_uplink() {
    run_command("ip link add vA2 netns " + testbed_->namespace_a() + " type veth peer name vB2 netns " +
                testbed_->namespace_b());
    in_a("ip addr add 10.78.0.1/24 dev vA2 && ip link set vA2 up");
    in_b("ip addr add 10.78.0.2/24 dev vB2 && ip link set vB2 up");
  }

  bool has_htb(const std::string& device) const {
    return in_a("tc qdisc show dev " + device + " 2>/dev/null").find("htb 7a:") != std::string::npos;
  }

  // Seconds until `device` carries nettoll's HTB (or -1 after `limit`).
  double seconds_until_shaped(const std::string& device, std::chrono::milliseconds limit) const {
    const auto start = Clock::now();
    if (!eventually([&] { return has_htb(device); }, limit)) return -1;
    return std::chrono::duration<double>(Clock::now() - start).count();
  }
};

const char* kLimits = "download: 20mbit\nupload: 10mbit\n";

TEST_F(DaemonTest, DefaultConfigWatchesAndChangesNothing) {
  const std::string before = in_a("tc qdisc show; ip link show");
  start_daemon("interface: auto\n");
  const CommandOutput shown = status();
  EXPECT_EQ(shown.exit_status, 0) << shown.output;
  EXPECT_NE(shown.output.find("watching vA"), std::string::npos) << shown.output;
  EXPECT_EQ(in_a("tc qdisc show; ip link show"), before);
  daemon_->signal(SIGTERM);
  EXPECT_EQ(daemon_->wait_for_exit(10s), 0) << daemon_->output();
}

TEST_F(DaemonTest, StatusWithoutADaemonExitsTwo) {
  const CommandOutput shown = status();
  EXPECT_EQ(shown.exit_status, 2);
  EXPECT_NE(shown.output.find("no daemon is running"), std::string::npos) << shown.output;
}

TEST_F(DaemonTest, FollowsTheDefaultRouteToASecondUplink) {
  add_second_uplink();
  start_daemon(kLimits);
  ASSERT_GE(seconds_until_shaped("vA", 5s), 0) << daemon_->output();
  in_a("ip route replace default via 10.78.0.2 dev vA2");
  const double moved = seconds_until_shaped("vA2", 5s);
  std::printf("shaping moved to the new uplink in %.3f s\n", moved);
  ASSERT_GE(moved, 0) << daemon_->output();
  EXPECT_LT(moved, 2.0) << "target: within 1 s";
  EXPECT_FALSE(has_htb("vA")) << "the old uplink is released";
  EXPECT_NE(in_a("ip link show ntb-vA2"), "");
  EXPECT_NE(daemon_->output().find("managed interface: vA2"), std::string::npos) << daemon_->output();
  EXPECT_NE(status().output.find("shaping vA2"), std::string::npos);
}

TEST_F(DaemonTest, FollowsAWgQuickStylePolicyRouteAndBack) {
  add_second_uplink();
  start_daemon(kLimits);
  ASSERT_GE(seconds_until_shaped("vA", 5s), 0) << daemon_->output();
  // What wg-quick does: the main table still points at vA.
  in_a(
      "ip route add default dev vA2 table 51820 && ip rule add not fwmark 0xca6c table 51820 && "
      "ip rule add table main suppress_prefixlength 0");
  ASSERT_GE(seconds_until_shaped("vA2", 5s), 0) << daemon_->output();
  EXPECT_FALSE(has_htb("vA"));
  in_a("ip rule del not fwmark 0xca6c table 51820 && ip rule del table main suppress_prefixlength 0");
  ASSERT_GE(seconds_until_shaped("vA", 5s), 0) << daemon_->output();
  EXPECT_FALSE(has_htb("vA2"));
}

TEST_F(DaemonTest, SurvivesTheInterfaceGoingAwayAndComingBack) {
  add_second_uplink();
  in_a("ip route replace default via 10.78.0.2 dev vA2");
  start_daemon(kLimits);
  ASSERT_GE(seconds_until_shaped("vA2", 5s), 0) << daemon_->output();
  in_a("ip link del vA2");  // a VPN going down: the route falls back to vA
  in_a("ip route replace default via 10.77.0.2 dev vA");
  ASSERT_GE(seconds_until_shaped("vA", 5s), 0) << daemon_->output();
  EXPECT_EQ(in_a("ip link show ntb-vA2 2>&1").find("ntb-vA2:"), std::string::npos) << "its IFB is gone too";
  add_second_uplink();
  in_a("ip route replace default via 10.78.0.2 dev vA2");
  ASSERT_GE(seconds_until_shaped("vA2", 5s), 0) << daemon_->output();
  EXPECT_EQ(daemon_->wait_for_exit(0ms), std::nullopt) << "still running";
}

TEST_F(DaemonTest, FixedInterfaceIsAwaited) {
  start_daemon(std::string("interface: vA2\n") + kLimits);
  EXPECT_NE(status().output.find("waiting for vA2"), std::string::npos) << status().output;
  add_second_uplink();
  ASSERT_GE(seconds_until_shaped("vA2", 5s), 0) << daemon_->output();
}

TEST_F(DaemonTest, ReloadKeepsShapingOnABadConfigAndChangesOnlyTheChangedClass) {
  start_daemon(kLimits);
  ASSERT_GE(seconds_until_shaped("vA", 5s), 0);
  // Real traffic first, so a class built again (counters from 0) shows.
  ASSERT_EQ(testbed_->run_in_a("ping -q -c 40 -i 0.01 10.77.0.2").exit_status, 0);
  const auto before = parse_tc_classes(in_a("tc -s class show dev vA"));
  ASSERT_GE(before.at("7a:2").sent_packets, 40u);
  std::ofstream(config_path_) << "download: 20mbit\nupload: 10 parsecs\n";
  daemon_->signal(SIGHUP);
  ASSERT_TRUE(daemon_->wait_for_output("reload rejected", 5s)) << daemon_->output();
  EXPECT_NE(daemon_->output().find(config_path_ + ":2:9: upload: bad rate"), std::string::npos)
      << daemon_->output();
  EXPECT_EQ(parse_tc_classes(in_a("tc -s class show dev vA")).at("7a:1").ceil_bits, 10'000'000u);
  std::ofstream(config_path_) << "download: 20mbit\nupload: 12mbit\n";
  daemon_->signal(SIGHUP);
  ASSERT_TRUE(daemon_->wait_for_output("reload applied", 5s)) << daemon_->output();
  const auto after = parse_tc_classes(in_a("tc -s class show dev vA"));
  EXPECT_EQ(after.at("7a:1").ceil_bits, 12'000'000u);
  EXPECT_EQ(after.at("7a:2").leaf, before.at("7a:2").leaf);
  EXPECT_GE(after.at("7a:2").sent_packets, before.at("7a:2").sent_packets) << "changed in place";
  EXPECT_GE(after.at("7a:1").sent_packets, before.at("7a:1").sent_packets);
  EXPECT_EQ(parse_tc_classes(in_a("tc -s class show dev ntb-vA")).at("7a:1").ceil_bits, 20'000'000u);
}

TEST_F(DaemonTest, SigtermLeavesTheNamespaceAsItWasFound) {
  const std::string before = in_a("tc qdisc show; ip -d link show vA | grep -o 'gso_max_size [0-9]*'");
  start_daemon(kLimits);
  ASSERT_GE(seconds_until_shaped("vA", 5s), 0);
  daemon_->signal(SIGTERM);
  ASSERT_EQ(daemon_->wait_for_exit(10s), 0) << daemon_->output();
  EXPECT_EQ(in_a("tc qdisc show; ip -d link show vA | grep -o 'gso_max_size [0-9]*'"), before);
  EXPECT_EQ(in_a("ip link show ntb-vA 2>&1").find("ntb-vA:"), std::string::npos);
}

TEST_F(DaemonTest, TrafficTollsLeftoversAreNamedInStatusAndKept) {
  // What TrafficToll leaves when it is killed: an HTB at the root, an ingress
  // qdisc redirecting to ifb0 (made by hand here, in the test namespace).
  in_a(
      "tc qdisc add dev vA root handle 1: htb default 1 && tc qdisc add dev vA handle ffff: ingress && "
      "ip link add ifb0 type ifb");
  // Without HTB's packet counter, which the link's own traffic moves.
  const std::string qdiscs = "tc qdisc show dev vA | sed 's/direct_packets_stat [0-9]*//'";
  const std::string before = in_a(qdiscs);
  start_daemon("interface: vA\ndownload: 10mbit\nupload: 5mbit\n");
  ASSERT_TRUE(daemon_->wait_for_output("not shaping: ", 10s)) << daemon_->output();
  const std::string found =
      "vA has a root qdisc htb 1:0, an ingress qdisc, IFB device ifb0 that nettoll did not create (what "
      "TrafficToll "
      "and tt-bandwidth-manager leave behind)";
  const std::string removal = "tc qdisc del dev vA root; tc qdisc del dev vA ingress; ip link del ifb0";
  const CommandOutput shown = status();
  EXPECT_EQ(shown.exit_status, 0) << shown.output;
  EXPECT_NE(shown.output.find("error: " + found), std::string::npos) << shown.output;
  EXPECT_NE(shown.output.find(removal), std::string::npos) << shown.output;
  EXPECT_EQ(in_a(qdiscs), before);
  EXPECT_EQ(in_a("ip link show ntb-vA 2>&1").find("ntb-vA:"), std::string::npos);

  in_a(removal);  // as the message says; then a reload shapes
  daemon_->signal(SIGHUP);
  ASSERT_TRUE(daemon_->wait_for_output("reload applied", 10s)) << daemon_->output();
  EXPECT_TRUE(has_htb("vA"));
}

}  // namespace
}  // namespace nettoll::testing
