// SPDX-License-Identifier: Apache-2.0
#include "shaping_session.h"

#include <signal.h>
#include <unistd.h>

#include <chrono>
#include <cstdio>
#include <fstream>

namespace nettoll::bench {

using namespace std::chrono_literals;

std::string temporary_config_path(const std::string& tag) {
  return "/tmp/nettoll-bench-" + std::to_string(getpid()) + "-" + tag + ".yaml";
}

ShapingSession::ShapingSession(const testing::Testbed& testbed, const std::string& config_yaml)
    : config_path_(temporary_config_path("session")) {
  std::ofstream(config_path_) << config_yaml;
  apply_ = std::make_unique<testing::ChildProcess>(
      std::vector<std::string>{testing::nettoll_binary(), "apply", "-c", config_path_, "--interface", "vA",
                               "--netns", testbed.namespace_a(), "--runtime-dir", config_path_ + ".run"});
  if (!apply_->wait_for_output("shaping vA", 10s)) {
    error_ = "nettoll apply did not shape vA:\n" + apply_->output();
  }
}

ShapingSession::~ShapingSession() {
  apply_->signal(SIGTERM);
  if (apply_->wait_for_exit(10s) != 0) {
    std::fprintf(stderr, "nettoll apply did not stop cleanly:\n%s\n", apply_->output().c_str());
  }
  std::remove(config_path_.c_str());
}

}  // namespace nettoll::bench
