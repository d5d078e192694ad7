// SPDX-License-Identifier: Apache-2.0
// ProcessSandbox: where the process benchmark runs its programs, apart from
// the machine's own: a namespace testbed (A: vA 10.77.0.1 with its default
// route via B; B: vB 10.77.0.2), a cgroup v2 directory of its own for the
// daemon's --cgroup (so its socket program never sees another process of the
// machine), and a directory of renamed program copies whose names rules
// match. Everything is removed when the sandbox ends.
#pragma once

#include <memory>
#include <string>

#include "child_process.h"
#include "testbed.h"

namespace nettoll::bench {

class ProcessSandbox {
 public:
  // Builds the testbed, the cgroup <cgroup v2 root>/nettoll-bench-<pid> and
  // the directory /tmp/nettoll-bench-<pid>-bin (bench/run knows both names).
  ProcessSandbox();
  // Kills whatever still runs in the cgroup (only the benchmark's programs
  // are there), then removes the cgroup, the directory and the namespaces.
  ~ProcessSandbox();
  ProcessSandbox(const ProcessSandbox&) = delete;
  ProcessSandbox& operator=(const ProcessSandbox&) = delete;

  // Empty when the sandbox is ready, else what failed.
  const std::string& setup_error() const { return setup_error_; }

  const testing::Testbed& testbed() const { return *testbed_; }
  const std::string& cgroup() const { return cgroup_; }
  const std::string& bin_dir() const { return bin_dir_; }

  // Copies `program` to `name` (relative, may name a subdirectory) in the
  // bin directory; false when the copy failed.
  bool install_copy(const std::string& program, const std::string& name) const;

  // Starts `command` (sh syntax, run from the bin directory) in namespace A,
  // inside the sandbox's cgroup.
  std::unique_ptr<testing::ChildProcess> start_in_a(const std::string& command) const;

  // Starts `argv` in namespace B (outside the cgroup: servers need no rule).
  std::unique_ptr<testing::ChildProcess> start_in_b(const std::vector<std::string>& argv) const;

 private:
  void create_cgroup();
  void remove_cgroup() const;

  std::unique_ptr<testing::Testbed> testbed_;
  std::string cgroup_;
  std::string bin_dir_;
  std::string setup_error_;
};

// The cgroup v2 mount point from /proc/self/mounts ("" when there is none).
std::string cgroup_v2_mount();

}  // namespace nettoll::bench
