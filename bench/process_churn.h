// SPDX-License-Identifier: Apache-2.0
// Scenario (b) of the process benchmark: what classification costs the
// daemon on a busy machine.
#pragma once

#include <chrono>
#include <string>
#include <vector>

#include "process_sandbox.h"

namespace nettoll::bench {

// Per classifier path: a daemon with a rule for `ntbulk` while a renamed
// socket holder (`holder_program`) matching it keeps 10,000 UDP sockets
// open; its CPU (% of one core) over 5 s without churn and over 30 s of
// ~33 short-lived processes a second, and its memory. False when a path
// could not be measured.
bool report_churn_cpu(const ProcessSandbox& sandbox, const std::vector<std::string>& paths,
                      const std::string& holder_program);

// Starts /bin/true in namespace A inside the sandbox's cgroup every `period`
// for `duration` and reaps each; returns how many it started (fewer when
// interrupted), or -1 when it could not open the namespace or the cgroup.
int churn_processes(const ProcessSandbox& sandbox, std::chrono::milliseconds period,
                    std::chrono::milliseconds duration);

}  // namespace nettoll::bench
