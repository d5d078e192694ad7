// SPDX-License-Identifier: Apache-2.0
// Per-process limits through the daemon, on both classifier paths: the
// process a rule limits stays at its limit while the other gets the rest
// (upload and download, TCP and UDP, IPv4 and IPv6), and a flow started
// before its rule existed is limited once a reload adds the rule.
#include "process_rules_fixture.h"

namespace nettoll::testing {
namespace {

class ProcessRulesTest : public ProcessRulesFixture {};

const char* kBulkRule =
    "download: 100mbit\nupload: 100mbit\nprocesses:\n  bulk:\n    match: [{name: ntbulk}]\n"
    "    upload: 5mbit\n    download: 5mbit\n";

TEST_P(ProcessRulesTest, LimitedProcessStaysAtItsLimitWhileTheOtherGetsTheRest) {
  start_daemon(kBulkRule);
  for (const char* flags : {"", "-R"}) {
    const bool download = flags[0] != 0;
    const std::string device = download ? "ntb-vA" : "vA";
    start_client("ntbulk", download ? 5203 : 5201, flags, 7);
    start_client("ntcall", download ? 5204 : 5202, flags, 7);
    std::this_thread::sleep_for(1500ms);
    const auto rates = class_rates(device, 4000ms);
    // 5% both ways: the testbed's "internet" sends MTU-sized frames, as a
    // real uplink does (see Testbed).
    EXPECT_NEAR(rates.at("7a:10"), 5.0, 0.25) << device << ": the limited process";
    // Far above the limited one; the exact share depends on the (shared) CPU.
    EXPECT_GT(rates.at("7a:2"), 20.0) << device << ": the other process gets the rest";
    stop_clients();
  }
  const std::string status = status_json();
  EXPECT_NE(status.find("\"path\": \"" + GetParam() + "\""), std::string::npos) << status;
}

TEST_P(ProcessRulesTest, UdpAndIpv6FlowsOfTheProcessAreLimited) {
  start_daemon(kBulkRule);
  struct Flow {
    const char* what;
    const char* host;
    const char* flags;
    bool download;
  };
  for (const Flow& flow : {Flow{"IPv4 UDP upload", "10.77.0.2", "-u -b 20M", false},
                           Flow{"IPv6 TCP upload", "fd77::2", "", false},
                           Flow{"IPv6 UDP download", "fd77::2", "-u -b 20M -R", true}}) {
    start_client("ntbulk", flow.download ? 5203 : 5201, flow.flags, 5, flow.host);
    std::this_thread::sleep_for(1500ms);
    const auto rates = class_rates(flow.download ? "ntb-vA" : "vA", 2500ms);
    EXPECT_NEAR(rates.at("7a:10"), 5.0, 0.25) << flow.what;
    EXPECT_LT(rates.at("7a:2"), 1.0) << flow.what << ": nothing of it escapes to the default class";
    stop_clients();
  }
}

TEST_P(ProcessRulesTest, AFlowStartedBeforeItsRuleIsLimitedAfterAReload) {
  start_daemon(
      "download: 100mbit\nupload: 100mbit\nprocesses:\n  other:\n    match: [{name: nothing-here}]\n");
  start_client("ntbulk", 5201, "", 8);
  std::this_thread::sleep_for(1500ms);
  EXPECT_GT(class_rates("vA", 1000ms).at("7a:2"), 20.0) << "unlimited before the rule";
  std::ofstream(config_path_) << kBulkRule;
  daemon_->signal(SIGHUP);
  ASSERT_TRUE(daemon_->wait_for_output("reload applied", 5s)) << daemon_->output();
  std::this_thread::sleep_for(1000ms);
  const auto rates = class_rates("vA", 2500ms);
  EXPECT_NEAR(rates.at("7a:10"), 5.0, 0.25) << "limited within a second of the rule";
  EXPECT_LT(rates.at("7a:2"), 1.0);
  EXPECT_NE(status_json().find("\"bulk\""), std::string::npos);
}

INSTANTIATE_TEST_SUITE_P(Paths, ProcessRulesTest, ::testing::Values("bpf", "u32"), classifier_path_name);

}  // namespace
}  // namespace nettoll::testing
