// SPDX-License-Identifier: Apache-2.0
// Scenario (a) of the process benchmark: how much a new connection of a
// limited process gets through before its limit holds.
#pragma once

#include <chrono>
#include <cstdint>
#include <optional>
#include <string>
#include <vector>

#include "process_sandbox.h"

namespace nettoll::bench {

// Per classifier path: a daemon limits the renamed iperf3 copy `ntbulk` to
// 10 Mbit/s upload under a 1 Gbit/s parent; five fresh TCP connections each
// report the bytes that reached B in their first 500 ms, printed against
// what the limit allows. False when a path could not be measured.
bool report_first_500ms(const ProcessSandbox& sandbox, const std::vector<std::string>& paths);

// One reading of a byte counter.
struct CounterSample {
  std::chrono::steady_clock::time_point at;
  uint64_t bytes = 0;
};

// What passed during the first `window` of traffic in `samples` (in time
// order; the first is the counter before the traffic). The window starts at
// the last sample before the counter first rose and ends at the last sample
// inside it.
struct FirstWindow {
  uint64_t bytes = 0;  // counted in the window
  // The most the traffic was ahead of `bytes_per_second` from the window's
  // start, at any sample in it: a shaper with an HTB bucket of B bytes
  // keeps this near B (plus one packet) whenever the window ends.
  double peak_ahead_bytes = 0;
};

// Nullopt when the counter never rose or the samples end before the window.
std::optional<FirstWindow> first_window(const std::vector<CounterSample>& samples,
                                        std::chrono::steady_clock::duration window, double bytes_per_second);

}  // namespace nettoll::bench
