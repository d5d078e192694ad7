// SPDX-License-Identifier: Apache-2.0
// How the daemon picks its classifier path: `auto` falls back to u32 port
// filters when the eBPF classifier cannot be set up, says why in the log and
// in status, and still limits the process; `bpf` refuses to start instead.
// The eBPF path is made impossible by pointing --cgroup at a directory that
// is not a cgroup v2 one (the socket program cannot attach there).
#include <nlohmann/json.hpp>

#include "process_rules_fixture.h"

namespace nettoll::testing {
namespace {

class ClassifierChoiceTest : public ProcessRulesFixture {
 protected:
  std::string not_a_cgroup() {
    const std::string directory = bin_dir_ + "/not-a-cgroup";
    std::filesystem::create_directories(directory);
    return directory;
  }
};
class AutoClassifierTest : public ClassifierChoiceTest {};
class BpfOnlyClassifierTest : public ClassifierChoiceTest {};

const char* kBulkRule =
    "upload: 100mbit\nprocesses:\n  bulk:\n    match: [{name: ntbulk}]\n    upload: 5mbit\n";

TEST_P(AutoClassifierTest, FallsBackToPortFiltersAndSaysWhy) {
  start_daemon(kBulkRule, not_a_cgroup());
  ASSERT_TRUE(daemon_->wait_for_output("per-process classification: u32 port filters", 5s))
      << daemon_->output();
  EXPECT_NE(daemon_->output().find("eBPF classifier unavailable"), std::string::npos) << daemon_->output();
  const auto status = nlohmann::json::parse(status_json(), nullptr, false);
  ASSERT_FALSE(status.is_discarded());
  EXPECT_EQ(status["classifier"]["path"], "u32") << status.dump();
  EXPECT_NE(status["classifier"]["reason"].get<std::string>().find("not-a-cgroup"), std::string::npos)
      << status.dump();
  start_client("ntbulk", 5201, "", 5);
  std::this_thread::sleep_for(1500ms);
  EXPECT_NEAR(class_rates("vA", 2500ms).at("7a:10"), 5.0, 0.25);
}

TEST_P(BpfOnlyClassifierTest, RefusesToStartWithoutItAndLeavesNothing) {
  const std::vector<std::string> command = daemon_command(kBulkRule, not_a_cgroup());
  std::string line;
  for (const std::string& word : command) line += "'" + word + "' ";
  const CommandOutput ran = run_command(line + "2>&1");
  EXPECT_EQ(ran.exit_status, 2) << ran.output;
  EXPECT_NE(ran.output.find("with eBPF (--classifier bpf) is not possible"), std::string::npos) << ran.output;
  // Nothing half-configured is left behind.
  EXPECT_EQ(testbed_->run_in_a("tc qdisc show dev vA").output.find("htb"), std::string::npos);
}

INSTANTIATE_TEST_SUITE_P(Mode, AutoClassifierTest, ::testing::Values("auto"), classifier_path_name);
INSTANTIATE_TEST_SUITE_P(Mode, BpfOnlyClassifierTest, ::testing::Values("bpf"), classifier_path_name);

}  // namespace
}  // namespace nettoll::testing
