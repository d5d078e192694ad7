// SPDX-License-Identifier: Apache-2.0
#include "process_sandbox.h"

#include <sys/stat.h>
#include <unistd.h>

#include <cerrno>
#include <cstdio>
#include <cstring>
#include <filesystem>
#include <fstream>
#include <sstream>
#include <thread>

namespace nettoll::bench {

using namespace std::chrono_literals;

std::string cgroup_v2_mount() {
  std::ifstream mounts("/proc/self/mounts");
  for (std::string line; std::getline(mounts, line);) {
    std::istringstream fields(line);
    std::string device;
    std::string mount_point;
    std::string type;
    fields >> device >> mount_point >> type;
    if (type == "cgroup2") return mount_point;
  }
  return "";
}

ProcessSandbox::ProcessSandbox() {
  testbed_ = std::make_unique<testing::Testbed>();
  if (!testbed_->setup_error().empty()) {
    setup_error_ = testbed_->setup_error();
    return;
  }
  // The daemon follows the default route: make it vA, inside A only.
  const auto route = testbed_->run_in_a("ip route add default via 10.77.0.2 dev vA");
  if (route.exit_status != 0) {
    setup_error_ = "cannot add A's default route: " + route.output;
    return;
  }
  bin_dir_ = "/tmp/nettoll-bench-" + std::to_string(getpid()) + "-bin";
  std::error_code error;
  std::filesystem::create_directories(bin_dir_, error);
  if (error) {
    setup_error_ = "cannot create " + bin_dir_ + ": " + error.message();
    return;
  }
  create_cgroup();
}

void ProcessSandbox::create_cgroup() {
  const std::string root = cgroup_v2_mount();
  if (root.empty()) {
    setup_error_ = "no cgroup v2 hierarchy in /proc/self/mounts";
    return;
  }
  const std::string path = root + "/nettoll-bench-" + std::to_string(getpid());
  if (::mkdir(path.c_str(), 0755) != 0) {
    setup_error_ = "cannot create cgroup " + path + ": " + std::strerror(errno);
    return;
  }
  cgroup_ = path;
}

ProcessSandbox::~ProcessSandbox() {
  remove_cgroup();
  if (!bin_dir_.empty()) {
    std::error_code ignored;
    std::filesystem::remove_all(bin_dir_, ignored);
  }
}

// A cgroup with processes in it cannot be removed: cgroup.kill (Linux 5.14)
// ends the benchmark's leftovers, and their exit takes a moment.
void ProcessSandbox::remove_cgroup() const {
  if (cgroup_.empty()) return;
  std::ofstream(cgroup_ + "/cgroup.kill") << "1";
  for (int attempt = 0; attempt < 100; ++attempt) {
    if (::rmdir(cgroup_.c_str()) == 0 || errno == ENOENT) return;
    std::this_thread::sleep_for(20ms);
  }
  std::fprintf(stderr, "process_bench: cannot remove cgroup %s: %s\n", cgroup_.c_str(), std::strerror(errno));
}

bool ProcessSandbox::install_copy(const std::string& program, const std::string& name) const {
  const std::filesystem::path target = std::filesystem::path(bin_dir_) / name;
  std::error_code error;
  std::filesystem::create_directories(target.parent_path(), error);
  std::filesystem::copy_file(program, target, std::filesystem::copy_options::overwrite_existing, error);
  if (error)
    std::fprintf(stderr, "process_bench: cannot copy %s: %s\n", program.c_str(), error.message().c_str());
  return !error;
}

// nsenter, not `ip netns exec`: the latter remounts /sys, which hides the
// cgroup tree the shell must write itself into. The shell then execs the
// program, so the child's pid is the program's.
std::unique_ptr<testing::ChildProcess> ProcessSandbox::start_in_a(const std::string& command) const {
  const std::string line = "echo $$ > " + cgroup_ + "/cgroup.procs && cd " + bin_dir_ + " && exec " + command;
  return std::make_unique<testing::ChildProcess>(
      std::vector<std::string>{"nsenter", "--net=/run/netns/" + testbed_->namespace_a(), "sh", "-c", line});
}

std::unique_ptr<testing::ChildProcess> ProcessSandbox::start_in_b(
    const std::vector<std::string>& argv) const {
  std::vector<std::string> full{"ip", "netns", "exec", testbed_->namespace_b()};
  full.insert(full.end(), argv.begin(), argv.end());
  return std::make_unique<testing::ChildProcess>(full);
}

}  // namespace nettoll::bench
