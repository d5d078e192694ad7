// SPDX-License-Identifier: Apache-2.0
// What tests/system/tbf_test.cc (BurstOfATickAgainstTwoFramesAndOneAt100Mbit)
// and bench/tbf_bench measured about TBF bursts on a modern kernel, for
// `nettoll explain tbf` to tell the user.
#pragma once

#include <string>
#include <vector>

namespace nettoll::cli {

// A few lines: the measured rates with a tick's worth, 2 frames and 1 frame.
inline std::vector<std::string> tbf_burst_findings() {
  return {
      "measured on Linux 6.18 (HZ 250, high-resolution timers), TCP over a veth at 100 Mbit/s, rate on the "
      "wire:",
      "  burst of one tick (50000 bytes, auto): 0.99-1.00 of the rate; 2 frames (3028): 0.95-0.98; "
      "1 frame (1514): 0.63-0.68",
      "TBF's watchdog is a high-resolution timer, so a bucket far below rate/HZ still refills in time and "
      "loses "
      "only a few percent; but a bucket of one frame cannot store the tokens of a late wake-up and loses a "
      "third.",
      "nettoll's auto burst is max(rate/HZ, one frame): never below a frame, and a tick's worth where that "
      "is "
      "more, which measured best. At HZ 250 a tick's worth is less than a 1514-byte frame below 3 Mbit/s, "
      "where auto is one frame.",
  };
}

}  // namespace nettoll::cli
