// SPDX-License-Identifier: Apache-2.0
// The hourly rows the usage database keeps. Their input is the accounting's
// UsageSample (core/usage_sample.h): bytes per process name, rule and
// direction since the previous sample.
#pragma once

#include <cstdint>
#include <string>

#include "core/usage_sample.h"

namespace nettoll {

// One row of the database: the bytes of one (hour, process, rule, direction).
struct HourlyUsage {
  int64_t hour = 0;  // Unix time of the start of the UTC hour
  std::string process;
  std::string rule;
  UsageDirection direction = UsageDirection::download;  // stored as 0 = download, 1 = upload
  uint64_t bytes = 0;
  bool operator==(const HourlyUsage&) const = default;
};

inline constexpr int64_t kSecondsPerHour = 3600;

// The start of the UTC hour that holds Unix time `seconds`.
constexpr int64_t hour_of(int64_t seconds) {
  return (seconds >= 0 ? seconds : seconds - (kSecondsPerHour - 1)) / kSecondsPerHour * kSecondsPerHour;
}

}  // namespace nettoll
