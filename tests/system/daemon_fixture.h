// SPDX-License-Identifier: Apache-2.0
// DaemonFixture: `nettoll daemon --netns A` in a fresh namespace testbed,
// with a config, API socket and runtime dir of the test's own under /tmp.
// Skips when not root.
#pragma once

#include <gtest/gtest.h>
#include <signal.h>
#include <unistd.h>

#include <chrono>
#include <filesystem>
#include <fstream>
#include <memory>
#include <string>

#include "child_process.h"
#include "test_cgroup.h"
#include "testbed.h"

namespace nettoll::testing {

class DaemonFixture : public ::testing::Test {
 protected:
  // `name` tells the files of one suite from another's ("daemon", "tbf").
  explicit DaemonFixture(const std::string& name) : name_(name) {}

  void SetUp() override {
    if (!running_as_root()) GTEST_SKIP() << "system tests need root (network namespaces, tc)";
    testbed_ = std::make_unique<Testbed>();
    ASSERT_EQ(testbed_->setup_error(), "");
    cgroup_ = std::make_unique<TestCgroup>(name_ + "-test");
    if (cgroup_->path().empty()) GTEST_SKIP() << "no cgroup v2 hierarchy";
    const std::string prefix = "/tmp/nettoll-" + name_ + "-test-" + std::to_string(getpid());
    config_path_ = prefix + ".yaml";
    socket_path_ = prefix + ".sock";
    runtime_dir_ = prefix + "-run";
  }
  void TearDown() override {
    daemon_.reset();
    cgroup_.reset();
    if (!config_path_.empty()) std::filesystem::remove(config_path_);
    if (!runtime_dir_.empty()) std::filesystem::remove_all(runtime_dir_);
  }

  std::string in_a(const std::string& command) const { return testbed_->run_in_a(command).output; }
  std::string in_b(const std::string& command) const { return testbed_->run_in_b(command).output; }

  // Writes `config` and starts the daemon; returns once `nettoll status`
  // answers, which it does after the first plan is applied.
  void start_daemon(const std::string& config) {
    std::ofstream(config_path_) << config;
    daemon_ = std::make_unique<ChildProcess>(std::vector<std::string>{
        nettoll_binary(), "daemon", "-c", config_path_, "--netns", testbed_->namespace_a(), "--socket",
        socket_path_, "--runtime-dir", runtime_dir_, "--cgroup", cgroup_->path(), "--usage-db",
        runtime_dir_ + "/usage.db", "--state-file", runtime_dir_ + "/state.json"});
    ASSERT_TRUE(eventually([&] { return status().exit_status == 0; }, std::chrono::seconds(10)))
        << daemon_->output();
  }

  // SIGTERM, and the daemon exits 0 within 10 s.
  void stop_daemon() {
    daemon_->signal(SIGTERM);
    ASSERT_EQ(daemon_->wait_for_exit(std::chrono::seconds(10)), 0) << daemon_->output();
  }

  CommandOutput status() const {
    return run_command(nettoll_binary() + " status --socket " + socket_path_ + " 2>&1");
  }

  std::unique_ptr<Testbed> testbed_;
  std::unique_ptr<ChildProcess> daemon_;
  std::unique_ptr<TestCgroup> cgroup_;  // the daemon classifies only in here
  std::string name_;
  std::string config_path_;
  std::string socket_path_;
  std::string runtime_dir_;
};

}  // namespace nettoll::testing
