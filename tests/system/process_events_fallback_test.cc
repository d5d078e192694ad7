// SPDX-License-Identifier: Apache-2.0
// A daemon started inside a network namespace without --netns (as in a
// container, or under systemd-nspawn): the proc connector refuses it, so it
// says so in the log and in status, shapes anyway, and finds the processes of
// its rules by rescanning /proc. On both classifier paths.
#include <nlohmann/json.hpp>

#include "daemon/process_classifier.h"
#include "process_rules_fixture.h"

namespace nettoll::testing {
namespace {

class ProcessEventsFallbackTest : public ProcessRulesFixture {
 protected:
  // The fixture's command without --netns, run inside namespace A by nsenter
  // (not `ip netns exec`, which remounts /sys and hides the cgroup tree).
  void start_daemon_inside(const std::string& config) {
    std::vector<std::string> command = daemon_command(config);
    const auto netns = std::find(command.begin(), command.end(), "--netns");
    command.erase(netns, netns + 2);
    command.insert(command.begin(), {"nsenter", "--net=/run/netns/" + testbed_->namespace_a()});
    daemon_ = std::make_unique<ChildProcess>(command);
    ASSERT_TRUE(eventually([&] { return status_json().starts_with("{"); }, 10s)) << daemon_->output();
  }

  nlohmann::json status() const { return nlohmann::json::parse(status_json(), nullptr, false); }

  // The rule `name` selects a process, as `nettoll status` reports it.
  bool rule_has_process(const std::string& name) const {
    const auto report = status();
    if (report.is_discarded() || !report.contains("processes")) return false;
    for (const auto& [pid, rule] : report["processes"].items()) {
      if (rule == name) return true;
    }
    return false;
  }
};

const char* kBulkRule =
    "interface: vA\nupload: 100mbit\nprocesses:\n  bulk:\n    match: [{name: ntbulk}]\n    upload: 5mbit\n";

TEST_P(ProcessEventsFallbackTest, ShapesAndFindsRuleProcessesByRescan) {
  start_daemon_inside(kBulkRule);
  EXPECT_NE(daemon_->output().find("no process events"), std::string::npos) << daemon_->output();
  const auto report = status();
  ASSERT_FALSE(report.is_discarded());
  EXPECT_EQ(report["classifier"]["path"], GetParam()) << report.dump();
  EXPECT_EQ(report["classifier"]["process_events"], "rescan") << report.dump();
  EXPECT_NE(
      report["classifier"]["process_events_reason"].get<std::string>().find("initial network namespace"),
      std::string::npos)
      << report.dump();
  const std::string text = run_command(nettoll_binary() + " status --socket " + socket_path_).output;
  EXPECT_NE(text.find("process events: none, cannot"), std::string::npos) << text;
  EXPECT_NE(testbed_->run_in_a("tc class show dev vA").output.find("ceil 5Mbit"), std::string::npos);
  // Started after the daemon: no exec event tells it, a rescan must.
  start_client("ntbulk", 5201, "", 6);
  ASSERT_TRUE(eventually([&] { return rule_has_process("bulk"); }, kRescanInterval * 3)) << status_json();
  // Sockets opened before the rescan are tagged (bpf) or polled (u32): the
  // whole flow ends up in the rule's class.
  std::this_thread::sleep_for(1500ms);  // TCP settles under the new ceil; not a synchronisation
  EXPECT_NEAR(class_rates("vA", 2500ms).at("7a:10"), 5.0, 0.35);
}

TEST_P(ProcessEventsFallbackTest, StartsWithoutRulesAndShapes) {
  start_daemon_inside("interface: vA\nupload: 7mbit\n");
  const auto report = status();
  ASSERT_FALSE(report.is_discarded());
  // No rules, but a limit: the path is up for the per-process counting
  // (issue 14: accounting whenever nettoll shapes), classifying nothing.
  EXPECT_EQ(report["classifier"]["path"], GetParam()) << report.dump();
  EXPECT_TRUE(report.value("processes", nlohmann::json::object()).empty()) << report.dump();
  EXPECT_NE(testbed_->run_in_a("tc class show dev vA").output.find("ceil 7Mbit"), std::string::npos)
      << testbed_->run_in_a("tc class show dev vA").output;
}

INSTANTIATE_TEST_SUITE_P(Path, ProcessEventsFallbackTest, ::testing::Values("bpf", "u32"),
                         classifier_path_name);

}  // namespace
}  // namespace nettoll::testing
