// SPDX-License-Identifier: Apache-2.0
// ChildProcess: a program started in the background by a test or benchmark
// (nettoll apply, iperf3), with its output in a file, signalled and reaped
// by the test, and killed if the test ends first.
#pragma once

#include <sys/types.h>

#include <chrono>
#include <optional>
#include <string>
#include <vector>

namespace nettoll::testing {

class ChildProcess {
 public:
  // Starts `argv` with stdout and stderr going to a temporary file.
  explicit ChildProcess(const std::vector<std::string>& argv);
  ~ChildProcess();
  ChildProcess(const ChildProcess&) = delete;
  ChildProcess& operator=(const ChildProcess&) = delete;

  pid_t pid() const { return pid_; }
  bool started() const { return pid_ > 0; }

  void signal(int signal_number) const;

  // Waits up to `timeout` for the process to exit; its exit status (or 128 +
  // signal), or nullopt when it is still running.
  std::optional<int> wait_for_exit(std::chrono::milliseconds timeout);

  // Everything it printed so far.
  std::string output() const;

  // Waits up to `timeout` until its output contains `text`.
  bool wait_for_output(const std::string& text, std::chrono::milliseconds timeout) const;

 private:
  pid_t pid_ = -1;
  std::optional<int> exit_status_;
  std::string output_path_;
};

// Path of the nettoll binary under test: $NETTOLL_TEST_BINARY when set (the
// sanitizer step runs these tests against its own build), else the one
// CMake built beside them.
std::string nettoll_binary();

}  // namespace nettoll::testing
