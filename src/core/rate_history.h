// SPDX-License-Identifier: Apache-2.0
// RateHistory: the dashboard's charts, the last 10 minutes of rates at one
// sample a second (a ring buffer), and how one sample is made from the plan
// in the kernel and the counters' rates. Pure: time and rates come in.
#pragma once

#include <cstddef>
#include <cstdint>
#include <functional>
#include <map>
#include <nlohmann/json.hpp>
#include <optional>
#include <string>
#include <vector>

#include "core/plan.h"
#include "core/result.h"
#include "core/usage_ledger.h"

namespace nettoll {

struct RuleRates {
  double download_bps = 0;
  double upload_bps = 0;
};

// One second of the history; rates in bits per second.
struct RateSample {
  int64_t unix_ms = 0;
  double download_bps = 0;
  double upload_bps = 0;
  std::optional<uint64_t> download_limit_bps;  // absent while that direction is not shaped
  std::optional<uint64_t> upload_limit_bps;
  std::map<std::string, RuleRates> rules;  // "" = traffic of no rule (the default class)
};

class RateHistory {
 public:
  static constexpr size_t kDefaultCapacity = 600;  // 10 minutes at 1 s
  static constexpr int kIntervalMs = 1000;

  explicit RateHistory(size_t capacity = kDefaultCapacity) : capacity_(capacity) {}

  // Appends `sample`, dropping the oldest once the buffer is full.
  void add(RateSample sample);

  // The samples newer than `after_unix_ms` (all when absent), oldest first.
  std::vector<RateSample> since(std::optional<int64_t> after_unix_ms) const;

  size_t size() const { return samples_.size(); }

 private:
  size_t capacity_;
  std::vector<RateSample> samples_;  // a ring: next_ is the oldest once full
  size_t next_ = 0;
};

// The sample at `unix_ms`: per direction, from the HTB classes' rates
// (`class_rate` of "device handle", bytes per second) while that direction
// is shaped, the root class's ceil as its limit; else from the processes'
// rates (the eBPF path's counters), with no limit.
RateSample rate_sample(int64_t unix_ms, const Plan& plan,
                       const std::function<double(const std::string&)>& class_rate,
                       const std::vector<ProcessUsage>& processes);

// `since` of a query ("1733100000000"): milliseconds since the epoch; fails
// with a message for anything else.
Result<int64_t> parse_since_ms(const std::string& text);

// {"interval_ms": 1000, "samples": [{"t": ..., "download_bps": ..., ...}]}.
nlohmann::json history_json(const std::vector<RateSample>& samples);

}  // namespace nettoll
