// SPDX-License-Identifier: Apache-2.0
// Accounting: once a second, reads the kernel's per-process counters (while
// the eBPF path is attached), folds exited processes into their name's
// total, hands the deltas to the registered sinks (usage history, quotas)
// and keeps the rates `nettoll top`, /v1/stats and /metrics show. Also
// samples the HTB classes' byte counters for their current rates.
#pragma once

#include <chrono>
#include <functional>
#include <map>
#include <string>
#include <vector>

#include "core/plan.h"
#include "core/usage_ledger.h"
#include "core/usage_sample.h"
#include "daemon/event_loop.h"
#include "kernel/netlink_socket.h"

namespace nettoll {

class Accounting {
 public:
  struct Sources {
    std::function<int()> process_traffic_fd;                       // -1 while there is no eBPF path
    std::function<std::map<uint32_t, std::string>()> rule_names;   // rule id → name
    std::function<std::map<std::string, uint64_t>()> class_bytes;  // "device handle" → bytes sent
  };

  Accounting(EventLoop& loop, Sources sources);

  // Starts the once-a-second sampling. Fails when the timer cannot be set.
  Result<void> start();

  // `sink` gets every second's deltas; it must outlive this object.
  void add_sink(UsageSink& sink) { sinks_.push_back(&sink); }

  // Reads the counters now and hands their deltas to the sinks (the
  // daemon's last sample before it stops; the timer calls it every second).
  void sample();

  // Whether per-process counters are being read (the eBPF path is attached).
  bool per_process() const { return per_process_; }
  const UsageLedger& ledger() const { return ledger_; }
  // Bytes per second of class `key` ("device handle") over the last second.
  double class_rate(const std::string& key) const;

 private:
  Result<void> schedule();

  EventLoop& loop_;
  Sources sources_;
  UsageLedger ledger_;
  std::vector<UsageSink*> sinks_;
  bool per_process_ = false;
  std::chrono::steady_clock::time_point last_sample_;
  std::map<std::string, uint64_t> class_bytes_;
  std::map<std::string, double> class_rates_;
};

// Rule id → rule name of `plan`'s classifier entries.
std::map<uint32_t, std::string> rule_names_of(const Plan& plan);

// "device handle" → bytes sent, of `plan`'s HTB classes as the kernel counts them.
std::map<std::string, uint64_t> class_bytes_of(NetlinkSocket& socket, const Plan& plan);

}  // namespace nettoll
