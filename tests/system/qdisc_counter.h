// SPDX-License-Identifier: Apache-2.0
// Reading a qdisc's byte counter from outside, with `tc -s qdisc show` (an
// independent view of the kernel, not the product's netlink code), and
// turning two readings into a rate on the wire.
#pragma once

#include <chrono>
#include <cstdint>
#include <optional>
#include <string>

namespace nettoll::testing {

struct QdiscReading {
  uint64_t bytes = 0;                        // bytes the qdisc has sent (dequeued)
  std::chrono::steady_clock::time_point at;  // midpoint of the tc call
};

// The counter of qdisc `handle` ("7b:") on `device` in namespace `netns`;
// nullopt when tc does not show it.
std::optional<QdiscReading> read_qdisc_counter(const std::string& netns, const std::string& device,
                                               const std::string& handle);

// The counter of HTB class `classid` ("7a:10") on `device` in namespace
// `netns`; nullopt when tc does not show it.
std::optional<QdiscReading> read_class_counter(const std::string& netns, const std::string& device,
                                               const std::string& classid);

// Mbit/s between two readings of the same qdisc; 0 when they are not in order.
double rate_mbit(const QdiscReading& before, const QdiscReading& after);

// Mbit/s through HTB class `classid` of `device` over `window`, measured
// once the class has sent `settle_bytes` more than when called (the flow
// past slow start, the class's burst spent); nullopt when it has not within
// `deadline`, or tc does not show the class.
std::optional<double> steady_class_rate(const std::string& netns, const std::string& device,
                                        const std::string& classid, uint64_t settle_bytes,
                                        std::chrono::milliseconds window, std::chrono::milliseconds deadline);

}  // namespace nettoll::testing
