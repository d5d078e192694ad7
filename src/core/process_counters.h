// SPDX-License-Identifier: Apache-2.0
// What the kernel's per-process accounting map holds, as plain values: the
// counters of one (process, rule) since its first packet. tgid 0 with an
// empty comm is "other" (packets without a local socket nettoll knows).
#pragma once

#include <compare>
#include <cstdint>
#include <string>

namespace nettoll {

struct ProcessCounterKey {
  uint32_t tgid = 0;
  uint32_t rule_id = 0;  // 0: the socket has no rule
  std::string comm;
  auto operator<=>(const ProcessCounterKey&) const = default;
  bool is_other() const { return tgid == 0; }
};

struct TrafficCounters {
  uint64_t download_bytes = 0;
  uint64_t download_packets = 0;
  uint64_t upload_bytes = 0;
  uint64_t upload_packets = 0;
  bool operator==(const TrafficCounters&) const = default;
  TrafficCounters& operator+=(const TrafficCounters& other) {
    download_bytes += other.download_bytes;
    download_packets += other.download_packets;
    upload_bytes += other.upload_bytes;
    upload_packets += other.upload_packets;
    return *this;
  }
  uint64_t bytes() const { return download_bytes + upload_bytes; }
};

struct ProcessCounterReading {
  ProcessCounterKey key;
  TrafficCounters counters;
};

}  // namespace nettoll
