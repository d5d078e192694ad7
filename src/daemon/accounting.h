// SPDX-License-Identifier: Apache-2.0
// Accounting: once a second, reads the kernel's per-process counters (while
// the eBPF path is attached), folds exited processes into their name's
// total, hands the deltas to the registered sinks (usage history, quotas)
// and keeps the rates `nettoll top`, /v1/stats and /metrics show. Also
// reads the HTB classes' counters: their current rates, and the one reading
// of them a second that /v1/stats and /v1/status show.
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
#include "kernel/tc_message.h"

namespace nettoll {

class Accounting {
 public:
  struct Sources {
    std::function<int()> process_traffic_fd;                         // -1 while there is no eBPF path
    std::function<std::map<uint32_t, std::string>()> rule_names;     // rule id → name
    std::function<std::map<std::string, TcStats>()> class_counters;  // "device handle" → counters
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
  // The counters of class `key` ("device handle") at the last sample; null
  // when it was not read then (no sample yet, or the class is newer).
  const TcStats* class_counters(const std::string& key) const;
  // How many samples have been taken: what this object shows changes only
  // when it does.
  uint64_t samples() const { return samples_; }

 private:
  Result<void> schedule();

  EventLoop& loop_;
  Sources sources_;
  UsageLedger ledger_;
  std::vector<UsageSink*> sinks_;
  bool per_process_ = false;
  std::chrono::steady_clock::time_point last_sample_;
  uint64_t samples_ = 0;
  std::map<std::string, TcStats> class_counters_;
  std::map<std::string, double> class_rates_;
};

// Rule id → rule name of `plan`'s classifier entries.
std::map<uint32_t, std::string> rule_names_of(const Plan& plan);

// The key of class `id` on `device` in the maps above: "device handle".
std::string class_key(const std::string& device, Handle id);

// "device handle" → counters, of `plan`'s HTB classes as the kernel counts
// them (one class dump per tree); classes that cannot be read are left out.
std::map<std::string, TcStats> class_counters_of(NetlinkSocket& socket, const Plan& plan);

}  // namespace nettoll
