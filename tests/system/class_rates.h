// SPDX-License-Identifier: Apache-2.0
// The measured rate of every HTB class of a device in a testbed's namespace
// A, from `tc -s class show` byte counters before and after a window.
#pragma once

#include <chrono>
#include <functional>
#include <map>
#include <string>
#include <thread>

#include "tc_text.h"
#include "testbed.h"

namespace nettoll::testing {

// Mbit/s through each class of `device` over `window`. `meanwhile`, if
// given, runs repeatedly during the window and returns how long to wait
// before its next run (e.g. the fallback path polling its sockets).
inline std::map<std::string, double> measure_class_rates(
    const Testbed& testbed, const std::string& device, std::chrono::milliseconds window,
    const std::function<std::chrono::milliseconds()>& meanwhile = {}) {
  const auto before = parse_tc_classes(testbed.run_in_a("tc -s class show dev " + device).output);
  const auto start = std::chrono::steady_clock::now();
  if (!meanwhile) {
    std::this_thread::sleep_for(window);
  } else {
    while (std::chrono::steady_clock::now() - start < window) std::this_thread::sleep_for(meanwhile());
  }
  const auto after = parse_tc_classes(testbed.run_in_a("tc -s class show dev " + device).output);
  const double seconds = std::chrono::duration<double>(std::chrono::steady_clock::now() - start).count();
  std::map<std::string, double> rates;
  for (const auto& [id, c] : after) {
    const uint64_t earlier = before.contains(id) ? before.at(id).sent_bytes : 0;
    rates[id] = static_cast<double>(c.sent_bytes - earlier) * 8 / seconds / 1e6;
  }
  return rates;
}

}  // namespace nettoll::testing
