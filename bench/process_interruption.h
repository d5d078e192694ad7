// SPDX-License-Identifier: Apache-2.0
// Stopping the process benchmark early (Ctrl-C, bench/run's deadline, a
// reader of its output gone) without leaving its namespaces, cgroup and
// temporary files behind: SIGINT, SIGTERM and SIGPIPE only raise a flag,
// every loop and pause checks it, and the benchmark returns through its
// destructors, which are its cleanup path.
#pragma once

#include <signal.h>

#include <algorithm>
#include <atomic>
#include <chrono>
#include <thread>

namespace nettoll::bench {

inline std::atomic<bool> interruption_requested{false};

// Turns SIGINT, SIGTERM and SIGPIPE into a request to stop (see
// interrupted()). A handler, not SIG_IGN: handlers end at exec, so the
// programs the benchmark starts keep the default dispositions.
inline void catch_interruptions() {
  struct sigaction action = {};
  action.sa_handler = [](int) { interruption_requested = true; };
  sigemptyset(&action.sa_mask);
  for (int signal_number : {SIGINT, SIGTERM, SIGPIPE}) sigaction(signal_number, &action, nullptr);
}

// True once one of those signals arrived: stop measuring and clean up.
inline bool interrupted() { return interruption_requested.load(); }

// Sleeps for `duration` in short steps; false when interrupted meanwhile.
inline bool pause_for(std::chrono::milliseconds duration) {
  const auto end = std::chrono::steady_clock::now() + duration;
  while (!interrupted()) {
    const auto now = std::chrono::steady_clock::now();
    if (now >= end) return true;
    std::this_thread::sleep_for(
        std::min<std::chrono::steady_clock::duration>(end - now, std::chrono::milliseconds(20)));
  }
  return false;
}

}  // namespace nettoll::bench
