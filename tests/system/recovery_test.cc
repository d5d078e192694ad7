// SPDX-License-Identifier: Apache-2.0
// Crash recovery: a daemon (or `apply`) killed with SIGKILL leaves its HTBs,
// IFB, BPF classifier and lowered GSO/GRO sizes behind. The next run removes
// or adopts them whatever its config says (no limits, another interface, the
// route moved while it was down), and once it stops, `tc` and `ip` show the
// namespace byte for byte as it was before nettoll first started.
#include <gtest/gtest.h>
#include <signal.h>
#include <unistd.h>

#include <chrono>
#include <filesystem>
#include <fstream>
#include <memory>
#include <thread>

#include "child_process.h"
#include "daemon/bpf_path.h"
#include "testbed.h"

namespace nettoll::testing {
namespace {

using namespace std::chrono_literals;

// Limits and a process rule: an HTB on both sides, the IFB, and (eBPF path)
// the classifier's filters on clsact.
const char* kShaping =
    "download: 20mbit\nupload: 10mbit\nprocesses:\n  bulk:\n    match: [{name: ntbulk}]\n    upload: 2mbit\n";

class RecoveryTest : public ::testing::Test {
 protected:
  void SetUp() override {
    if (!running_as_root()) GTEST_SKIP() << "system tests need root (network namespaces, tc)";
    const std::string cgroup_root = cgroup_v2_root();
    if (cgroup_root.empty()) GTEST_SKIP() << "no cgroup v2 hierarchy";
    testbed_ = std::make_unique<Testbed>();
    ASSERT_EQ(testbed_->setup_error(), "");
    const std::string id = std::to_string(getpid());
    dir_ = "/tmp/nettoll-recovery-test-" + id;
    std::filesystem::create_directories(dir_);
    cgroup_ = cgroup_root + "/nettoll-recovery-test-" + id;
    std::filesystem::create_directory(cgroup_);
    run_command("ip link add vA2 netns " + testbed_->namespace_a() + " type veth peer name vB2 netns " +
                testbed_->namespace_b());
    // Sizes of the user's own, not the kernel's defaults: restored exactly, not to 65536.
    in_a(
        "ip addr add 10.78.0.1/24 dev vA2 && ip link set vA2 up && "
        "ip link set vA gso_max_size 60000 gro_max_size 62000 && ip route add default via 10.77.0.2 dev vA");
    before_ = snapshot();
  }

  void TearDown() override {
    for (auto* run : {&first_, &second_}) {
      if (*run) (*run)->signal(SIGKILL);
      run->reset();
    }
    testbed_.reset();
    if (!cgroup_.empty()) ::rmdir(cgroup_.c_str());
    if (!dir_.empty()) std::filesystem::remove_all(dir_);
  }

  std::string in_a(const std::string& command) const { return testbed_->run_in_a(command).output; }

  // What `tc` and `ip` show of every device in A.
  std::string snapshot() const {
    return in_a(
        "tc qdisc show; for d in $(ls /sys/class/net); do echo \"== $d\"; tc class show dev $d; "
        "tc filter show dev $d ingress 2>&1; tc filter show dev $d egress 2>&1; done; ip -d link show");
  }

  std::unique_ptr<ChildProcess> start(const std::string& command, const std::string& config,
                                      std::vector<std::string> extra = {}) {
    const std::string config_path = dir_ + "/" + std::to_string(++configs_) + ".yaml";
    std::ofstream(config_path) << config;
    std::vector<std::string> argv{nettoll_binary(), command,      "-c",
                                  config_path,      "--netns",    testbed_->namespace_a(),
                                  "--runtime-dir",  dir_ + "/run"};
    if (command == "daemon")
      argv.insert(argv.end(), {"--socket", dir_ + "/api.sock", "--cgroup", cgroup_, "--usage-db",
                               dir_ + "/usage.db", "--state-file", dir_ + "/state.json"});
    argv.insert(argv.end(), extra.begin(), extra.end());
    return std::make_unique<ChildProcess>(argv);
  }

  std::string status_json() const {
    return run_command(nettoll_binary() + " status --json --socket " + dir_ + "/api.sock 2>&1").output;
  }

  // Waits (bounded) until `nettoll status` says `text`: the daemon has applied its plan.
  bool wait_for_status(const std::string& text) const {
    const auto deadline = std::chrono::steady_clock::now() + 10s;
    std::string shown;
    while (std::chrono::steady_clock::now() < deadline) {
      shown = run_command(nettoll_binary() + " status --socket " + dir_ + "/api.sock 2>&1").output;
      if (shown.find(text) != std::string::npos) return true;
      std::this_thread::sleep_for(50ms);
    }
    ADD_FAILURE() << "status never said '" << text << "': " << shown;
    return false;
  }

  // Starts the daemon on kShaping, waits until it shapes `interface`, checks
  // that it left something to recover, and kills it.
  void crash_while_shaping(const std::string& interface) {
    first_ = start("daemon", kShaping);
    ASSERT_TRUE(wait_for_status("shaping " + interface)) << first_->output();
    first_->signal(SIGKILL);
    ASSERT_EQ(first_->wait_for_exit(10s), 128 + SIGKILL);
    expect_leftovers_on(interface);
  }

  void expect_leftovers_on(const std::string& interface) const {
    ASSERT_NE(in_a("tc qdisc show dev " + interface).find("htb 7a:"), std::string::npos);
    ASSERT_NE(in_a("ip link show ntb-" + interface + " 2>&1").find("ntb-" + interface + ":"),
              std::string::npos);
    ASSERT_EQ(in_a("ip -d link show " + interface).find("gso_max_size 60000"), std::string::npos)
        << "nettoll lowers the GSO size while shaping";
  }

  void expect_released(const std::string& interface) const {
    EXPECT_EQ(in_a("tc qdisc show dev " + interface).find("7a:"), std::string::npos) << snapshot();
    EXPECT_EQ(in_a("tc filter show dev " + interface + " egress"), "") << snapshot();
    // A veth to another namespace: a daemon with process rules on another
    // interface puts the container program on its ingress (container-links:
    // auto), which shapes nothing. No uplink program, no redirect.
    const std::string ingress = in_a("tc filter show dev " + interface + " ingress");
    for (const char* uplink_filter : {"classify_ingres", "u32", "mirred"})
      EXPECT_EQ(ingress.find(uplink_filter), std::string::npos) << snapshot();
    EXPECT_EQ(in_a("ip link show ntb-" + interface + " 2>&1").find("ntb-" + interface + ":"),
              std::string::npos);
  }

  // SIGTERM, a clean exit, and the namespace as it was before nettoll.
  void stop_and_expect_original(std::unique_ptr<ChildProcess>& run) {
    run->signal(SIGTERM);
    ASSERT_EQ(run->wait_for_exit(10s), 0) << run->output();
    EXPECT_EQ(snapshot(), before_);
    EXPECT_FALSE(std::filesystem::exists(dir_ + "/run/kernel-originals.json")) << "nothing left to restore";
  }

  std::unique_ptr<Testbed> testbed_;
  std::unique_ptr<ChildProcess> first_, second_;
  std::string dir_, cgroup_, before_;
  int configs_ = 0;
};

TEST_F(RecoveryTest, ConfigWithoutLimitsAfterSigkillRestoresEverything) {
  crash_while_shaping("vA");
  second_ = start("daemon", "interface: auto\n");
  ASSERT_TRUE(wait_for_status("watching vA")) << second_->output();
  EXPECT_EQ(snapshot(), before_) << "no limits: the crashed run's shaping is gone while it runs";
  EXPECT_NE(second_->output().find("from an earlier run on vA"), std::string::npos) << second_->output();
  stop_and_expect_original(second_);
}

TEST_F(RecoveryTest, ConfigForAnotherInterfaceAfterSigkillReleasesTheOldOne) {
  crash_while_shaping("vA");
  second_ = start("daemon", std::string("interface: vA2\n") + kShaping);
  ASSERT_TRUE(wait_for_status("shaping vA2")) << second_->output();
  expect_released("vA");
  EXPECT_NE(in_a("ip -d link show vA").find("gso_max_size 60000"), std::string::npos) << "recorded size back";
  EXPECT_NE(in_a("ip -d link show vA").find("gro_max_size 62000"), std::string::npos);
  stop_and_expect_original(second_);
}

TEST_F(RecoveryTest, InterfaceMovedWhileTheDaemonWasDown) {
  crash_while_shaping("vA");
  in_a("ip route replace default via 10.78.0.2 dev vA2");
  second_ = start("daemon", kShaping);
  ASSERT_TRUE(wait_for_status("shaping vA2")) << second_->output();
  expect_released("vA");
  stop_and_expect_original(second_);
}

TEST_F(RecoveryTest, SameConfigAfterSigkillAdoptsTheShaping) {
  crash_while_shaping("vA");
  const std::string classes = in_a("tc class show dev vA; tc class show dev ntb-vA");
  second_ = start("daemon", kShaping);
  ASSERT_TRUE(wait_for_status("shaping vA")) << second_->output();
  EXPECT_EQ(in_a("tc class show dev vA; tc class show dev ntb-vA"), classes) << "adopted, not stacked";
  EXPECT_EQ(in_a("tc qdisc show dev vA | grep -c 'htb 7a:'"), "1\n");
  stop_and_expect_original(second_);
}

TEST_F(RecoveryTest, ApplyAfterSigkillOfApply) {
  first_ = start("apply", "download: 20mbit\nupload: 10mbit\n", {"--interface", "vA"});
  ASSERT_TRUE(first_->wait_for_output("shaping vA", 10s)) << first_->output();
  first_->signal(SIGKILL);
  ASSERT_EQ(first_->wait_for_exit(10s), 128 + SIGKILL);
  expect_leftovers_on("vA");
  second_ = start("apply", "upload: 5mbit\n", {"--interface", "vA2"});
  ASSERT_TRUE(second_->wait_for_output("shaping vA2", 10s)) << second_->output();
  expect_released("vA");
  stop_and_expect_original(second_);
}

// Interfaces by identity: vA2 deleted and re-created within the daemon's
// settle delay is a new device, which gets the classifier again.
TEST_F(RecoveryTest, InterfaceRecreatedWithinTheSettleWindowGetsItsClassifierBack) {
  in_a("ip route replace default via 10.78.0.2 dev vA2");
  first_ = start("daemon", kShaping);
  ASSERT_TRUE(wait_for_status("shaping vA2")) << first_->output();
  // The uplink's programs on both hooks, by name: while vA2 is not the
  // uplink, a veth to another namespace, it gets the container program
  // (pref 31232 too) on its ingress.
  const auto has_classifier = [&] {
    return in_a("tc filter show dev vA2 egress").find("classify_egress") != std::string::npos &&
           in_a("tc filter show dev vA2 ingress").find("classify_ingres") != std::string::npos;
  };
  if (!has_classifier()) GTEST_SKIP() << "the eBPF classifier is not in use here: " << status_json();
  run_command("ip -n " + testbed_->namespace_a() + " link del vA2 && ip link add vA2 netns " +
              testbed_->namespace_a() + " type veth peer name vB2 netns " + testbed_->namespace_b() +
              " && ip -n " + testbed_->namespace_a() + " addr add 10.78.0.1/24 dev vA2 && ip -n " +
              testbed_->namespace_a() + " link set vA2 up && ip -n " + testbed_->namespace_a() +
              " route replace default via 10.78.0.2 dev vA2");
  testbed_->run_in_b("ip addr add 10.78.0.2/24 dev vB2 && ip link set vB2 up");
  EXPECT_TRUE(eventually(has_classifier, 5s)) << in_a("tc filter show dev vA2 egress") << first_->output();
  EXPECT_TRUE(
      eventually([&] { return in_a("tc qdisc show dev vA2").find("htb 7a:") != std::string::npos; }, 5s));
  first_->signal(SIGTERM);
  ASSERT_EQ(first_->wait_for_exit(10s), 0) << first_->output();
}

}  // namespace
}  // namespace nettoll::testing
