// SPDX-License-Identifier: Apache-2.0
// The values of the usage history: byte deltas as the counters report them,
// and the hourly rows the usage database keeps.
#pragma once

#include <cstdint>
#include <string>

namespace nettoll {

enum class UsageDirection { download = 0, upload = 1 };

// Bytes one process name moved under one rule in one direction since the
// previous sample. (The live feed's own type, src/core/usage_sample.h of the
// accounting work, converts into this at the recorder.)
struct UsageDelta {
  std::string process;  // the process's name (comm); "other" for traffic without a local socket
  std::string rule;     // the rule's name; "default" for unclassified traffic
  UsageDirection direction = UsageDirection::download;
  uint64_t bytes = 0;
};

// One row of the database: the bytes of one (hour, process, rule, direction).
struct HourlyUsage {
  int64_t hour = 0;  // Unix time of the start of the UTC hour
  std::string process;
  std::string rule;
  UsageDirection direction = UsageDirection::download;
  uint64_t bytes = 0;
  bool operator==(const HourlyUsage&) const = default;
};

inline constexpr int64_t kSecondsPerHour = 3600;

// The start of the UTC hour that holds Unix time `seconds`.
constexpr int64_t hour_of(int64_t seconds) {
  return (seconds >= 0 ? seconds : seconds - (kSecondsPerHour - 1)) / kSecondsPerHour * kSecondsPerHour;
}

}  // namespace nettoll
