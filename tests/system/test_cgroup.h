// SPDX-License-Identifier: Apache-2.0
// TestCgroup: a cgroup v2 directory of the test's own, for the daemon's
// --cgroup, so that its socket program never sits on the machine's root
// cgroup (KERNEL.md). Removed on destruction (once its processes are gone).
#pragma once

#include <unistd.h>

#include <filesystem>
#include <string>

#include "daemon/bpf_path.h"

namespace nettoll::testing {

class TestCgroup {
 public:
  // `name` tells one suite's cgroup from another's; empty path() when the
  // machine has no cgroup v2 hierarchy.
  explicit TestCgroup(const std::string& name) {
    const std::string root = cgroup_v2_root();
    if (root.empty()) return;
    path_ = root + "/nettoll-" + name + "-" + std::to_string(getpid());
    std::error_code ignored;
    std::filesystem::create_directory(path_, ignored);
  }
  ~TestCgroup() {
    if (!path_.empty()) ::rmdir(path_.c_str());
  }
  TestCgroup(const TestCgroup&) = delete;
  TestCgroup& operator=(const TestCgroup&) = delete;

  const std::string& path() const { return path_; }

 private:
  std::string path_;
};

}  // namespace nettoll::testing
