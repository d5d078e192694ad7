// SPDX-License-Identifier: Apache-2.0
// ProcessRulesFixture: per-process rules through the daemon, on either
// classifier path (the test parameter: "bpf" or "u32"). Namespace A runs the
// daemon (--netns, --cgroup of the test's own) and renamed copies of iperf3
// and of the UDP probe inside that cgroup; namespace B runs the servers.
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
#include "daemon/bpf_path.h"
#include "tc_text.h"
#include "testbed.h"

namespace nettoll::testing {

using namespace std::chrono_literals;

// The iperf3 servers in B: upload tests use 5201/5202, downloads 5203/5204
// (an iperf3 server stays busy for a moment after its client ends).
inline constexpr int kFirstIperfPort = 5201;

class ProcessRulesFixture : public ::testing::TestWithParam<std::string> {
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
    for (const char* name : {"ntbulk", "ntcall", "iperf3"}) install_copy("/usr/bin/iperf3", name);
    config_path_ = bin_dir_ + "/nettoll.yaml";
    socket_path_ = bin_dir_ + "/api.sock";
    runtime_dir_ = bin_dir_ + "/run";
    for (int port = kFirstIperfPort; port < kFirstIperfPort + 4; ++port) {
      servers_.push_back(std::make_unique<ChildProcess>(std::vector<std::string>{
          "ip", "netns", "exec", testbed_->namespace_b(), "iperf3", "-s", "-p", std::to_string(port)}));
    }
    for (int port = kFirstIperfPort; port < kFirstIperfPort + 4; ++port) {
      ASSERT_TRUE(testbed_->wait_for_listener(testbed_->namespace_b(), port, 5s))
          << "iperf3 server on " << port;
    }
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

  // Copies `program` into the test's bin directory as `name`.
  void install_copy(const std::string& program, const std::string& name) {
    std::filesystem::copy_file(program, bin_dir_ + "/" + name,
                               std::filesystem::copy_options::overwrite_existing);
  }

  // The daemon's command line for `config` (written to config_path_), with
  // its socket program on `cgroup` (default: the test's own).
  std::vector<std::string> daemon_command(const std::string& config, const std::string& cgroup = "") {
    std::ofstream(config_path_) << config;
    return {nettoll_binary(),
            "daemon",
            "-c",
            config_path_,
            "--netns",
            testbed_->namespace_a(),
            "--socket",
            socket_path_,
            "--cgroup",
            cgroup.empty() ? cgroup_ : cgroup,
            "--classifier",
            GetParam(),
            "--runtime-dir",
            runtime_dir_,
            "--usage-db",
            runtime_dir_ + "/usage.db",
            "--state-file",
            runtime_dir_ + "/state.json"};
  }

  void start_daemon(const std::string& config, const std::string& cgroup = "") {
    daemon_ = std::make_unique<ChildProcess>(daemon_command(config, cgroup));
    // `nettoll status` answers once the first plan and its classifier are in
    // place (the "managed interface" log line comes before).
    ASSERT_TRUE(eventually([&] { return status_json().starts_with("{"); }, 10s)) << daemon_->output();
  }

  // Runs `command` (relative to the test's bin directory) with sh in
  // namespace A inside the test's cgroup. nsenter, not `ip netns exec`,
  // which remounts /sys and hides the cgroup tree.
  ChildProcess& start_in_a(const std::string& command) {
    const std::string line =
        "echo $$ > " + cgroup_ + "/cgroup.procs && cd " + bin_dir_ + " && exec " + command;
    clients_.push_back(std::make_unique<ChildProcess>(std::vector<std::string>{
        "nsenter", "--net=/run/netns/" + testbed_->namespace_a(), "sh", "-c", line}));
    return *clients_.back();
  }

  // A renamed iperf3 client against the server on `port` in B.
  void start_client(const std::string& program, int port, const std::string& flags, int seconds,
                    const std::string& host = "10.77.0.2") {
    start_in_a("./" + program + " -c " + host + " -p " + std::to_string(port) + " -t " +
               std::to_string(seconds) + " " + flags + " >/dev/null 2>&1");
  }

  // Mbit/s through each class of `device` over `window`.
  std::map<std::string, double> class_rates(const std::string& device, std::chrono::milliseconds window) {
    return measure_class_rates(*testbed_, device, window);
  }

  std::string status_json() const {
    return run_command(nettoll_binary() + " status --json --socket " + socket_path_).output;
  }

  void stop_clients() {
    for (auto& client : clients_) client->wait_for_exit(10s);
    clients_.clear();
  }

  std::unique_ptr<Testbed> testbed_;
  std::unique_ptr<ChildProcess> daemon_;
  std::vector<std::unique_ptr<ChildProcess>> servers_;
  std::vector<std::unique_ptr<ChildProcess>> clients_;
  std::string cgroup_, bin_dir_, config_path_, socket_path_, runtime_dir_;
};

// "bpf" / "u32" as the test names' suffix.
inline std::string classifier_path_name(const ::testing::TestParamInfo<std::string>& info) {
  return info.param;
}

}  // namespace nettoll::testing
