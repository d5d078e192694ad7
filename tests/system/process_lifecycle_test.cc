// SPDX-License-Identifier: Apache-2.0
// Process rules over a process's life, through the daemon on both classifier
// paths: a `recursive` rule covers the flows a matched shell spawns (and a
// non-recursive one does not), and a process that exits leaves nothing
// behind (status, port filters).
#include <nlohmann/json.hpp>

#include "process_rules_fixture.h"

namespace nettoll::testing {
namespace {

class ProcessLifecycleTest : public ProcessRulesFixture {
 protected:
  // The shell (a copy of sh named ntlaunch) forks iperf3, which matches no
  // rule of its own. `; true` keeps sh from exec'ing its last command in place.
  void start_launcher(int port) {
    start_in_a("./ntlaunch -c './iperf3 -c 10.77.0.2 -p " + std::to_string(port) +
               " -t 5 >/dev/null 2>&1; true'");
  }
};

std::string launcher_rule(bool recursive) {
  return std::string("download: 100mbit\nupload: 100mbit\nprocesses:\n  launcher:\n") +
         "    match: [{name: ntlaunch}]\n    upload: 5mbit\n    recursive: " +
         (recursive ? "true" : "false") + "\n";
}

// The pids status lists under `rule`. A status that is no such report (the
// daemon died, say) fails the test: it is not "no processes".
std::vector<std::string> pids_of_rule(const std::string& status, const std::string& rule) {
  std::vector<std::string> pids;
  const auto parsed = nlohmann::json::parse(status, nullptr, false);
  if (parsed.is_discarded() || !parsed.contains("processes")) {
    ADD_FAILURE() << "no status report with processes: " << status;
    return pids;
  }
  for (const auto& [pid, name] : parsed["processes"].items()) {
    if (name == rule) pids.push_back(pid);
  }
  return pids;
}

TEST_P(ProcessLifecycleTest, RecursiveRuleCoversTheFlowsAShellSpawns) {
  install_copy("/bin/sh", "ntlaunch");
  start_daemon(launcher_rule(true));
  start_launcher(5201);
  std::this_thread::sleep_for(1500ms);
  const auto rates = class_rates("vA", 2500ms);
  EXPECT_NEAR(rates.at("7a:10"), 5.0, 0.25) << "the shell's iperf3 child is limited";
  EXPECT_LT(rates.at("7a:2"), 1.0);
  EXPECT_GE(pids_of_rule(status_json(), "launcher").size(), 2u)
      << "the shell and its child: " << status_json();
  stop_clients();
  // One log line for the rule (TrafficToll's "Shaping traffic for..."), none per child.
  const std::string log = daemon_->output();
  const std::string announced = "rule 'launcher' selects its first process: ";
  const size_t first = log.find(announced);
  ASSERT_NE(first, std::string::npos) << log;
  EXPECT_NE(log.find("name=ntlaunch (match {name: ntlaunch})", first), std::string::npos) << log;
  EXPECT_EQ(log.find(announced, first + 1), std::string::npos) << log;

  // The same shell without `recursive`: its child runs free.
  std::ofstream(config_path_) << launcher_rule(false);
  daemon_->signal(SIGHUP);
  ASSERT_TRUE(daemon_->wait_for_output("reload applied", 5s)) << daemon_->output();
  start_launcher(5202);
  std::this_thread::sleep_for(1500ms);
  const auto free_rates = class_rates("vA", 2000ms);
  EXPECT_LT(free_rates.at("7a:10"), 0.5);
  EXPECT_GT(free_rates.at("7a:2"), 20.0);
  stop_clients();
}

TEST_P(ProcessLifecycleTest, AnExitedProcessLeavesNoState) {
  start_daemon(
      "download: 100mbit\nupload: 100mbit\nprocesses:\n  bulk:\n    match: [{name: ntbulk}]\n"
      "    upload: 5mbit\n    download: 5mbit\n");
  start_client("ntbulk", 5201, "", 3);
  std::this_thread::sleep_for(1500ms);
  ASSERT_EQ(pids_of_rule(status_json(), "bulk").size(), 1u) << status_json();
  const bool port_filters = GetParam() == "u32";
  if (port_filters) {
    // The data connection and the control connection, in each direction.
    EXPECT_NE(testbed_->run_in_a("tc filter show dev vA parent 7a:").output.find("flowid 7a:10"),
              std::string::npos);
    EXPECT_NE(testbed_->run_in_a("tc filter show dev ntb-vA parent 7a:").output.find("flowid 7a:10"),
              std::string::npos);
  }
  stop_clients();
  // Within a poll of the fallback (250 ms), with room for a loaded machine.
  EXPECT_TRUE(eventually([&] { return pids_of_rule(status_json(), "bulk").empty(); }, 5s)) << status_json();
  // The port filters go at the fallback's next poll after the exit.
  for (const char* device : {"vA", "ntb-vA"}) {
    const std::string command = std::string("tc filter show dev ") + device + " parent 7a:";
    EXPECT_TRUE(eventually(
        [&] { return testbed_->run_in_a(command).output.find("flowid 7a:10") == std::string::npos; }, 5s))
        << device << ":\n"
        << testbed_->run_in_a(command).output;
  }
}

INSTANTIATE_TEST_SUITE_P(Paths, ProcessLifecycleTest, ::testing::Values("bpf", "u32"), classifier_path_name);

}  // namespace
}  // namespace nettoll::testing
