// SPDX-License-Identifier: Apache-2.0
// UsageLedger: turns successive readings of the kernel's per-process
// counters into per-second deltas (UsageSample), rates, and totals per
// process name and rule that outlive the processes. Pure: the readings, which
// processes are alive and the rule names come in as values.
#pragma once

#include <cstdint>
#include <functional>
#include <map>
#include <string>
#include <utility>
#include <vector>

#include "core/process_counters.h"
#include "core/usage_sample.h"

namespace nettoll {

// The name "other" traffic is reported under.
inline constexpr const char* kOtherTrafficName = "other";

struct ProcessUsage {
  ProcessCounterKey key;
  std::string name;  // comm, or "other"
  std::string rule;  // "" without a rule
  TrafficCounters total;
  double download_bytes_per_second = 0;
  double upload_bytes_per_second = 0;
};

struct NameUsage {
  std::string name;
  std::string rule;
  TrafficCounters total;  // exited processes' and live ones'
};

class UsageLedger {
 public:
  struct Update {
    UsageDeltas deltas;                     // non-zero (name, rule, direction) deltas
    std::vector<ProcessCounterKey> exited;  // entries the caller drops from the kernel map
  };

  // Takes the map's contents now, `elapsed_seconds` after the previous
  // update. An entry of a process `alive` says has exited is folded into its
  // name's total and listed in `exited`; an entry that vanished (the LRU
  // evicted it) is folded with its last reading. `rule_name` names rule ids.
  Update update(const std::vector<ProcessCounterReading>& readings,
                const std::function<bool(uint32_t)>& alive,
                const std::function<std::string(uint32_t)>& rule_name, double elapsed_seconds);

  // Live entries, fastest (download + upload) first.
  const std::vector<ProcessUsage>& processes() const { return processes_; }
  // Totals by (name, rule), exited and live, largest first.
  std::vector<NameUsage> names() const;
  // Totals by rule ("" = no rule), exited and live.
  std::map<std::string, TrafficCounters> rules() const;

 private:
  std::map<ProcessCounterKey, TrafficCounters> previous_;
  std::map<ProcessCounterKey, std::pair<std::string, std::string>> labels_;  // name, rule at last sight
  std::map<std::pair<std::string, std::string>, TrafficCounters> folded_;    // dropped entries
  std::vector<ProcessUsage> processes_;
};

}  // namespace nettoll
