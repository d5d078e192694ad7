// SPDX-License-Identifier: Apache-2.0
// QuotaEnforcer: the daemon's side of quotas. Every second (and at each
// period's end, by a timer of its own) it asks the usage history for each
// quota's use in its period (database rows + bytes not yet written, so a
// restart or a reboot does not reset a quota), logs what changed, and
// re-plans when a quota goes over or is lifted: the shaper then applies
// effective(config), where the `then` limits lower the ceilings and
// `then: block` marks the rule for the classifier to drop.
#pragma once

#include <cstdint>
#include <functional>
#include <nlohmann/json.hpp>
#include <string>
#include <vector>

#include "core/config.h"
#include "core/prometheus_text.h"
#include "daemon/event_loop.h"
#include "usage/quota_tracker.h"

namespace nettoll {

class QuotaEnforcer {
 public:
  using Clock = std::function<int64_t()>;  // Unix seconds
  struct Hooks {
    Clock clock;                    // the time quotas are evaluated at
    std::function<void()> replan;   // the over-quota set changed: apply effective(config)
    std::function<bool()> counted;  // the classifier counts usage now (the eBPF path)
  };

  // `usage` reads a quota's use (the usage history's UsageRecorder::used);
  // empty when the history has no database (quotas are then not enforced,
  // which configure() logs).
  QuotaEnforcer(EventLoop& loop, QuotaTracker::UsageSource usage, Hooks hooks);

  // Takes the quotas of `config` (on start and reload), keeping the state of
  // those that did not change, and evaluates them at once (without
  // re-planning: the caller plans with effective() next).
  void configure(const Config& config);
  // Starts the periodic evaluation. Fails when the timer cannot be set.
  Result<void> start();
  // Evaluates now: logs changes, re-plans when the over-quota set changed,
  // and arms the timer of the next period's start.
  void check();

  // `config` with the limits and blocks of the quotas that are over.
  Config effective(const Config& config) const { return tracker_.effective(config); }
  // For /v1/status (see QuotaTracker::status_json).
  nlohmann::json status_json() const { return tracker_.status_json(); }
  // For /metrics.
  std::vector<MetricFamily> metric_families() const { return tracker_.metric_families(); }

 private:
  // Updates the tracker; true when the over-quota set changed.
  bool evaluate();
  void schedule_check();
  void arm_reset_timer();

  EventLoop& loop_;
  QuotaTracker::UsageSource usage_;
  Hooks hooks_;
  QuotaTracker tracker_{{}};
  bool failing_ = false;         // logs a failing usage source once, and its recovery
  bool said_uncounted_ = false;  // logs once that the classifier does not count
};

}  // namespace nettoll
