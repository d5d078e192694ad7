// SPDX-License-Identifier: Apache-2.0
// DaemonSession: `nettoll daemon` running in a ProcessSandbox (namespace A,
// the sandbox's cgroup, one classifier path), and what the benchmark reads
// about it from outside: the plan it follows, its CPU time and memory.
#pragma once

#include <sys/types.h>

#include <cstdint>
#include <memory>
#include <optional>
#include <string>

#include "child_process.h"
#include "process_sandbox.h"

namespace nettoll::bench {

class DaemonSession {
 public:
  // Writes `config_yaml` to a temporary file and starts the daemon with
  // `--classifier classifier` (no flag when `classifier` is empty); waits up
  // to 30 s until it shapes vA (until its output has `ready_text`).
  DaemonSession(const ProcessSandbox& sandbox, const std::string& config_yaml, const std::string& classifier,
                const std::string& ready_text = "shaping vA");
  // SIGTERM: the daemon removes its qdiscs, IFB and socket program itself.
  ~DaemonSession();
  DaemonSession(const DaemonSession&) = delete;
  DaemonSession& operator=(const DaemonSession&) = delete;

  // Empty when the daemon shapes vA, else its output.
  const std::string& error() const { return error_; }
  pid_t pid() const { return daemon_->pid(); }

 private:
  std::string config_path_;
  std::unique_ptr<testing::ChildProcess> daemon_;
  std::string error_;
};

// What the daemon creates for one rule on vA's egress: the HTB class and
// its buckets.
struct PlannedRuleClass {
  std::string class_id;       // "7a:10"
  uint64_t burst_bytes = 0;   // bucket at the class's rate
  uint64_t cburst_bytes = 0;  // bucket at its ceil: what may pass at once above the ceil rate
};

// `rule`'s egress class in the plan `nettoll plan --json` prints for
// `config_yaml` on vA (run inside namespace A, where vA exists); nullopt
// when the plan has no class for it.
std::optional<PlannedRuleClass> planned_rule_class(const ProcessSandbox& sandbox,
                                                   const std::string& config_yaml, const std::string& rule);

// True when this nettoll's daemon takes --classifier (added to the daemon
// recently: without it the benchmark runs the default path only).
bool daemon_takes_classifier_flag();

// Time process `pid` (all its threads) has spent on a CPU so far, in seconds
// (schedstat).
double cpu_seconds(pid_t pid);

// A "Vm..." line of /proc/PID/status ("VmRSS", "VmHWM") in KiB; -1 when absent.
long memory_kib(pid_t pid, const std::string& field);

}  // namespace nettoll::bench
