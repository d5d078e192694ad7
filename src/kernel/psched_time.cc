// SPDX-License-Identifier: Apache-2.0
#include "kernel/psched_time.h"

#include <algorithm>
#include <cmath>
#include <cstdio>

namespace nettoll {
namespace {

constexpr double kMicrosecondsPerSecond = 1e6;
// Linux has used 64 ns ticks (PSCHED_SHIFT 6) since 2.6.26: 1000/64 per µs.
constexpr double kDefaultTicksPerUsec = 1000.0 / 64.0;

// /proc/net/psched holds four hex words: ns per tick numerator/denominator
// (t2us, us2t), the clock resolution and (unused) HZ. When the clock reports
// nanosecond resolution the first ratio is 1:1 in tc's reading.
double read_ticks_per_usec() {
  std::FILE* file = std::fopen("/proc/net/psched", "re");
  if (!file) return kDefaultTicksPerUsec;
  unsigned t2us = 0, us2t = 0, clock_res = 0;
  const int fields = std::fscanf(file, "%08x%08x%08x", &t2us, &us2t, &clock_res);
  std::fclose(file);
  if (fields != 3 || us2t == 0 || clock_res == 0) return kDefaultTicksPerUsec;
  if (clock_res == 1'000'000'000) t2us = us2t;
  const double clock_factor = static_cast<double>(clock_res) / kMicrosecondsPerSecond;
  return static_cast<double>(t2us) / us2t * clock_factor;
}

}  // namespace

double psched_ticks_per_usec() {
  static const double ticks_per_usec = read_ticks_per_usec();
  return ticks_per_usec;
}

uint32_t bytes_to_psched_ticks(uint64_t bytes, uint64_t rate_bytes_per_second) {
  if (rate_bytes_per_second == 0) return 0;
  const double usec =
      kMicrosecondsPerSecond * static_cast<double>(bytes) / static_cast<double>(rate_bytes_per_second);
  const double ticks = usec * psched_ticks_per_usec();
  return static_cast<uint32_t>(std::min(ticks, static_cast<double>(UINT32_MAX)));
}

uint32_t psched_ticks_to_bytes(uint32_t ticks, uint64_t rate_bytes_per_second) {
  const double usec = static_cast<double>(ticks) / psched_ticks_per_usec();
  const double bytes = usec * static_cast<double>(rate_bytes_per_second) / kMicrosecondsPerSecond;
  return static_cast<uint32_t>(std::min(std::round(bytes), static_cast<double>(UINT32_MAX)));
}

}  // namespace nettoll
