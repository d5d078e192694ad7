// Per-process rules through the daemon: two renamed copies of iperf3 run at
// once in a cgroup of the test's own; the one a rule limits stays at its
// limit while the other gets the rest, both directions, and a flow started
// before its rule existed is limited once a reload adds the rule.
#include <gtest/gtest.h>
#include <signal.h>
#include <unistd.h>

#include <chrono>
#include <filesystem>
#include <fstream>
#include <memory>
#include <thread>

#include "child_process.h"
#include "daemon/process_classifier.h"
#include "tc_text.h"
#include "testbed.h"

namespace nettoll::testing {
namespace {

using namespace std::chrono_literals;

class ProcessRulesTest : public ::testing::Test {
 protected:
  void SetUp() override {
    if (!running_as_root()) GTEST_SKIP() << "system tests need root (network namespaces, tc, cgroups)";
    const std::string root = cgroup_v2_root();
    if (root.empty()) GTEST_SKIP() << "no cgroup v2 hierarchy";
    testbed_ = std::make_unique<Testbed>();
    ASSERT_EQ(testbed_->setup_error(), "");
    testbed_->run_in_a("ip route add default via 10.77.0.2 dev vA");
    const std::string id = std::to_string(getpid());
    cgroup_ = root + "/nettoll-test-" + id;
    std::filesystem::create_directory(cgroup_);
    bin_dir_ = "/tmp/nettoll-process-test-" + id;
    std::filesystem::create_directories(bin_dir_);
    for (const char* name : {"ntbulk", "ntcall"}) {
      std::filesystem::copy_file("/usr/bin/iperf3", bin_dir_ + "/" + name,
                                 std::filesystem::copy_options::overwrite_existing);
    }
    config_path_ = bin_dir_ + "/nettoll.yaml";
    socket_path_ = bin_dir_ + "/api.sock";
    for (int port : {5201, 5202, 5203, 5204}) {
      servers_.push_back(std::make_unique<ChildProcess>(std::vector<std::string>{
          "ip", "netns", "exec", testbed_->namespace_b(), "iperf3", "-s", "-p", std::to_string(port)}));
    }
    std::this_thread::sleep_for(300ms);
  }

  void TearDown() override {
    clients_.clear();
    if (daemon_) {
      daemon_->signal(SIGTERM);
      daemon_->wait_for_exit(10s);
    }
    daemon_.reset();
    servers_.clear();
    if (!cgroup_.empty()) rmdir(cgroup_.c_str());
    if (!bin_dir_.empty()) std::filesystem::remove_all(bin_dir_);
  }

  void start_daemon(const std::string& config) {
    std::ofstream(config_path_) << config;
    daemon_ = std::make_unique<ChildProcess>(std::vector<std::string>{
        nettoll_binary(), "daemon", "-c", config_path_, "--netns", testbed_->namespace_a(), "--socket", socket_path_,
        "--cgroup", cgroup_});
    ASSERT_TRUE(daemon_->wait_for_output("managed interface", 10s)) << daemon_->output();
    std::this_thread::sleep_for(300ms);
  }

  // Runs `program` (a renamed iperf3 client) in namespace A inside the test's
  // cgroup. nsenter, not `ip netns exec`, which remounts /sys and hides the
  // cgroup tree.
  void start_client(const std::string& program, int port, const std::string& flags, int seconds) {
    const std::string command = "echo $$ > " + cgroup_ + "/cgroup.procs && exec " + bin_dir_ + "/" + program +
                                " -c 10.77.0.2 -p " + std::to_string(port) + " -t " + std::to_string(seconds) + " " +
                                flags + " >/dev/null 2>&1";
    clients_.push_back(std::make_unique<ChildProcess>(std::vector<std::string>{
        "nsenter", "--net=/run/netns/" + testbed_->namespace_a(), "sh", "-c", command}));
  }

  // Mbit/s through each class of `device` over `window`.
  std::map<std::string, double> class_rates(const std::string& device, std::chrono::milliseconds window) {
    const auto before = parse_tc_classes(testbed_->run_in_a("tc -s class show dev " + device).output);
    const auto start = std::chrono::steady_clock::now();
    std::this_thread::sleep_for(window);
    const auto after = parse_tc_classes(testbed_->run_in_a("tc -s class show dev " + device).output);
    const double seconds = std::chrono::duration<double>(std::chrono::steady_clock::now() - start).count();
    std::map<std::string, double> rates;
    for (const auto& [id, c] : after) {
      const uint64_t earlier = before.contains(id) ? before.at(id).sent_bytes : 0;
      rates[id] = static_cast<double>(c.sent_bytes - earlier) * 8 / seconds / 1e6;
    }
    return rates;
  }

  std::unique_ptr<Testbed> testbed_;
  std::unique_ptr<ChildProcess> daemon_;
  std::vector<std::unique_ptr<ChildProcess>> servers_;
  std::vector<std::unique_ptr<ChildProcess>> clients_;
  std::string cgroup_, bin_dir_, config_path_, socket_path_;
};

const char* kBulkRule =
    "download: 100mbit\nupload: 100mbit\nprocesses:\n  bulk:\n    match: [{name: ntbulk}]\n"
    "    upload: 5mbit\n    download: 5mbit\n";

TEST_F(ProcessRulesTest, LimitedProcessStaysAtItsLimitWhileTheOtherGetsTheRest) {
  start_daemon(kBulkRule);
  // Fresh servers for each direction: an iperf3 server stays busy for a
  // moment after its client ends.
  for (const char* flags : {"", "-R"}) {
    const bool download = flags[0] != 0;
    const std::string device = download ? "ntb-vA" : "vA";
    start_client("ntbulk", download ? 5203 : 5201, flags, 7);
    start_client("ntcall", download ? 5204 : 5202, flags, 7);
    std::this_thread::sleep_for(1500ms);
    const auto rates = class_rates(device, 4000ms);
    // Upload holds 5%. A TCP download at a few Mbit/s through the IFB's small
    // fifo runs up to ~6% under its limit on this testbed (the veth peer's
    // 64 KiB TSO aggregates arrive unsplit, which no real wire does; the
    // accuracy benchmark shows the same): 10% there until that is fixed.
    EXPECT_NEAR(rates.at("7a:10"), 5.0, download ? 0.5 : 0.25) << device << ": the limited process";
    // Far above the limited one; the exact share depends on the (shared) CPU.
    EXPECT_GT(rates.at("7a:2"), 20.0) << device << ": the other process gets the rest";
    for (auto& client : clients_) client->wait_for_exit(7s);
    clients_.clear();
  }
  const CommandOutput status = run_command(nettoll_binary() + " status --json --socket " + socket_path_);
  EXPECT_EQ(status.exit_status, 0) << status.output;
}

TEST_F(ProcessRulesTest, AFlowStartedBeforeItsRuleIsLimitedAfterAReload) {
  start_daemon("download: 100mbit\nupload: 100mbit\nprocesses:\n  other:\n    match: [{name: nothing-here}]\n");
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
  const CommandOutput status = run_command(nettoll_binary() + " status --json --socket " + socket_path_);
  EXPECT_NE(status.output.find("\"bulk\""), std::string::npos) << status.output;
}

}  // namespace
}  // namespace nettoll::testing
