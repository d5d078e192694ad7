// SPDX-License-Identifier: Apache-2.0
#include "process_bpf_cost.h"

#include <bpf/bpf.h>
#include <unistd.h>

#include <cstring>
#include <string>

namespace nettoll::bench {

BpfRunTimeStats::BpfRunTimeStats() : fd_(bpf_enable_stats(BPF_STATS_RUN_TIME)) {}

BpfRunTimeStats::~BpfRunTimeStats() {
  if (fd_ >= 0) ::close(fd_);
}

ProgramRuns classifier_program_runs(const std::string& prefix) {
  ProgramRuns runs;
  uint32_t id = 0;
  while (bpf_prog_get_next_id(id, &id) == 0) {
    const int fd = bpf_prog_get_fd_by_id(id);
    if (fd < 0) continue;
    bpf_prog_info info{};
    uint32_t length = sizeof(info);
    // Names are cut to 15 characters: "classify_egress", "classify_ingres".
    if (bpf_obj_get_info_by_fd(fd, &info, &length) == 0 &&
        std::strncmp(info.name, prefix.c_str(), prefix.size()) == 0) {
      runs.run_time_ns += info.run_time_ns;
      runs.run_count += info.run_cnt;
    }
    ::close(fd);
  }
  return runs;
}

}  // namespace nettoll::bench
