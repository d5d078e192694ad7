// SPDX-License-Identifier: Apache-2.0
// An independent reading of `tc class show` / `tc qdisc show` text, to check
// what the adapter reads over netlink against what iproute2 prints.
#pragma once

#include <cstdint>
#include <map>
#include <optional>
#include <string>

namespace nettoll::testing {

struct TcTextClass {
  std::string kind;
  std::string id;      // "7a:10"
  std::string parent;  // "7a:1", or "root"
  std::string leaf;    // "8010:" or ""
  uint64_t rate_bits = 0;
  uint64_t ceil_bits = 0;
  int prio = -1;
  uint64_t sent_bytes = 0;
  uint64_t sent_packets = 0;
};

// tc's rate text ("100Kbit", "2Gbit", "40Gbit", "8bit") in bits per second,
// or nullopt.
std::optional<uint64_t> parse_tc_rate(const std::string& text);

// `tc -s class show dev X` output, by class id.
std::map<std::string, TcTextClass> parse_tc_classes(const std::string& output);

// The value following `key` in a line of tc output ("limit" → "30000b"), or "".
std::string tc_value_after(const std::string& line, const std::string& key);

}  // namespace nettoll::testing
