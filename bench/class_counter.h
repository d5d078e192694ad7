// SPDX-License-Identifier: Apache-2.0
// Reading an HTB class's byte counter from outside, with `tc -s class show`
// (an independent view of the kernel, not the product's netlink code), and
// turning two readings into a wire rate.
#pragma once

#include <chrono>
#include <cstdint>
#include <optional>
#include <string>

#include "testbed.h"

namespace nettoll::bench {

struct CounterReading {
  uint64_t bytes = 0;  // bytes the class has sent (dequeued): what went on the wire
  uint64_t packets = 0;
  std::chrono::steady_clock::time_point at;  // midpoint of the tc call
};

// Class `class_id` ("7a:1") of `device` in namespace `netns`; nullopt when tc
// does not show it.
std::optional<CounterReading> read_class_counter(const std::string& netns, const std::string& device,
                                                 const std::string& class_id);

// Mbit/s between two readings of the same class.
double rate_mbit(const CounterReading& before, const CounterReading& after);

}  // namespace nettoll::bench
