// SPDX-License-Identifier: Apache-2.0
// What nettoll's tc classifier programs cost per packet, read from the
// kernel's own BPF statistics: exact where throughput on a shared 2-core
// machine varies by more than the effect being measured.
#pragma once

#include <cstdint>
#include <optional>
#include <string>

namespace nettoll::bench {

// Keeps the kernel's BPF run-time statistics on (BPF_ENABLE_STATS) while it
// lives; they cost every BPF program a clock read, so only during a run.
class BpfRunTimeStats {
 public:
  BpfRunTimeStats();
  ~BpfRunTimeStats();
  BpfRunTimeStats(const BpfRunTimeStats&) = delete;
  BpfRunTimeStats& operator=(const BpfRunTimeStats&) = delete;
  bool enabled() const { return fd_ >= 0; }

 private:
  int fd_ = -1;
};

struct ProgramRuns {
  uint64_t run_time_ns = 0;
  uint64_t run_count = 0;
  double ns_per_run() const { return run_count ? double(run_time_ns) / double(run_count) : 0; }
};

// The sums over the loaded programs whose (15-character) names start with
// `prefix`: by default nettoll's tc classifiers (classify_egress,
// classify_ingress_*, classify_container_upload), since they were loaded.
ProgramRuns classifier_program_runs(const std::string& prefix = "classify_");

}  // namespace nettoll::bench
