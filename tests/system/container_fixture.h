// SPDX-License-Identifier: Apache-2.0
// ContainerFixture: ContainerTopology (a Docker-like host: bridge, veths,
// nftables masquerade, container cgroups named like Docker's) with renamed
// iperf3 copies, iperf3 servers in "the internet", and the daemon run with
// --netns A and --cgroup, --runtime-dir etc. of the test's own.
#pragma once

#include <gtest/gtest.h>
#include <signal.h>
#include <unistd.h>

#include <chrono>
#include <filesystem>
#include <fstream>
#include <map>
#include <memory>
#include <string>
#include <thread>
#include <vector>

#include "child_process.h"
#include "class_rates.h"
#include "container_topology.h"
#include "daemon/bpf_path.h"
#include "testbed.h"

namespace nettoll::testing {

using namespace std::chrono_literals;

class ContainerFixture : public ::testing::Test {
 protected:
  void SetUp() override {
    if (!running_as_root()) GTEST_SKIP() << "system tests need root (network namespaces, tc, cgroups)";
    const std::string root = cgroup_v2_root();
    if (root.empty()) GTEST_SKIP() << "no cgroup v2 hierarchy";
    if (run_command("command -v nft").exit_status != 0) GTEST_SKIP() << "nft is not installed";
    testbed_ = std::make_unique<Testbed>();
    ASSERT_EQ(testbed_->setup_error(), "");
    const std::string id = std::to_string(getpid());
    cgroup_ = root + "/nettoll-container-test-" + id;
    std::filesystem::create_directory(cgroup_);
    bin_dir_ = "/tmp/nettoll-container-test-" + id;
    std::filesystem::create_directories(bin_dir_);
    for (const char* name : {"ntbulk", "ntcall", "nthost"}) {
      std::filesystem::copy_file("/usr/bin/iperf3", bin_dir_ + "/" + name,
                                 std::filesystem::copy_options::overwrite_existing);
    }
    config_path_ = bin_dir_ + "/nettoll.yaml";
    socket_path_ = bin_dir_ + "/api.sock";
    runtime_dir_ = bin_dir_ + "/run";
    topology_ = std::make_unique<ContainerTopology>(*testbed_, cgroup_);
    ASSERT_EQ(topology_->setup_error(), "");
  }

  void TearDown() override {
    clients_.clear();
    if (daemon_) {
      daemon_->signal(SIGTERM);
      daemon_->wait_for_exit(10s);
    }
    daemon_.reset();
    servers_.clear();
    topology_.reset();
    if (!cgroup_.empty()) rmdir(cgroup_.c_str());
    if (!bin_dir_.empty()) std::filesystem::remove_all(bin_dir_);
  }

  const TestContainer& add_container(int n) {
    std::string error;
    const TestContainer& container = topology_->add_container(n, error);
    EXPECT_EQ(error, "");
    return container;
  }
  const TestContainer& add_routed_container(int n) {
    std::string error;
    const TestContainer& container = topology_->add_routed_container(n, error);
    EXPECT_EQ(error, "");
    return container;
  }
  void remove_container(const TestContainer& container) { topology_->remove_container(container); }
  void publish(const TestContainer& container, int published, int port) {
    ASSERT_EQ(topology_->publish(container, published, port), "");
  }

  void start_daemon(const std::string& config) {
    std::ofstream(config_path_) << config;
    daemon_ = std::make_unique<ChildProcess>(std::vector<std::string>{
        nettoll_binary(), "daemon", "-c", config_path_, "--netns", testbed_->namespace_a(), "--socket",
        socket_path_, "--cgroup", cgroup_, "--classifier", "bpf", "--runtime-dir", runtime_dir_, "--usage-db",
        runtime_dir_ + "/usage.db", "--state-file", runtime_dir_ + "/state.json"});
    ASSERT_TRUE(eventually([&] { return status_json().starts_with("{"); }, 10s)) << daemon_->output();
  }

  // Runs `command` (in the test's bin directory) with sh in namespace
  // `netns` inside cgroup `cgroup`.
  ChildProcess& start_in(const std::string& netns, const std::string& cgroup, const std::string& command) {
    clients_.push_back(
        std::make_unique<ChildProcess>(ContainerTopology::command_in(netns, cgroup, bin_dir_, command)));
    return *clients_.back();
  }
  ChildProcess& start_in(const TestContainer& container, const std::string& command) {
    return start_in(container.netns, container.cgroup, command);
  }
  ChildProcess& start_on_host(const std::string& command) {
    return start_in(testbed_->namespace_a(), cgroup_, command);
  }

  // iperf3 servers in the internet namespace on `first`...`first + count - 1`.
  void start_servers(int first, int count) {
    for (int port = first; port < first + count; ++port) {
      servers_.push_back(std::make_unique<ChildProcess>(std::vector<std::string>{
          "ip", "netns", "exec", testbed_->namespace_b(), "iperf3", "-s", "-p", std::to_string(port)}));
    }
    for (int port = first; port < first + count; ++port) {
      ASSERT_TRUE(testbed_->wait_for_listener(testbed_->namespace_b(), port, 5s)) << "iperf3 server " << port;
    }
  }

  std::map<std::string, double> class_rates(const std::string& device, std::chrono::milliseconds window) {
    return measure_class_rates(*testbed_, device, window);
  }

  std::string status_json() const {
    return run_command(nettoll_binary() + " status --json --socket " + socket_path_).output;
  }

  void stop_clients() {
    for (auto& client : clients_) client->wait_for_exit(15s);
    clients_.clear();
  }

  std::unique_ptr<Testbed> testbed_;
  std::unique_ptr<ChildProcess> daemon_;
  std::vector<std::unique_ptr<ChildProcess>> servers_;
  std::vector<std::unique_ptr<ChildProcess>> clients_;
  std::unique_ptr<ContainerTopology> topology_;
  std::string cgroup_, bin_dir_, config_path_, socket_path_, runtime_dir_;
};

// The container tests' rules limit to 5 Mbit/s. The testbed's "internet"
// sends MTU-sized frames, as a real uplink does: the class counters are on
// the wire.
constexpr double kContainerLimit = 5.0;
// Above the limit: what a class may overshoot in a window.
constexpr double kContainerOvershoot = 0.25;
// Below it: a sender on a loaded 2-core machine falls short (4.65 of 5 seen
// for the published server's IPv6 upload), which no limit causes.
constexpr double kContainerShortfall = 0.75;

// The class rate holds the limit: never more than kContainerOvershoot above
// it, at most kContainerShortfall below.
inline ::testing::AssertionResult holds_limit(double rate) {
  if (rate > kContainerLimit + kContainerOvershoot)
    return ::testing::AssertionFailure() << rate << " Mbit/s is above the limit";
  if (rate < kContainerLimit - kContainerShortfall)
    return ::testing::AssertionFailure() << rate << " Mbit/s is far below the limit";
  return ::testing::AssertionSuccess();
}

}  // namespace nettoll::testing
