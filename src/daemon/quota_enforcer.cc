// SPDX-License-Identifier: Apache-2.0
#include "daemon/quota_enforcer.h"

#include <spdlog/spdlog.h>

#include <algorithm>

namespace nettoll {
namespace {

using namespace std::chrono_literals;

// How soon a crossed quota acts: a second's worth of traffic past its size.
constexpr auto kCheckInterval = 1000ms;
// Past a period's end, so the new period is the one that holds the moment.
constexpr auto kResetMargin = 100ms;

}  // namespace

QuotaEnforcer::QuotaEnforcer(EventLoop& loop, QuotaTracker::UsageSource usage, Hooks hooks)
    : loop_(loop), usage_(std::move(usage)), hooks_(std::move(hooks)) {}

void QuotaEnforcer::configure(const Config& config) {
  QuotaTracker next(QuotaTracker::quotas_of(config));
  next.keep_states_of(tracker_);
  tracker_ = std::move(next);
  if (tracker_.empty()) return;
  if (!usage_) {
    spdlog::error("quotas not enforced: the usage history has no database to count them in");
    return;
  }
  (void)evaluate();
  arm_reset_timer();
}

Result<void> QuotaEnforcer::start() {
  return loop_.after("quota-check", kCheckInterval, [this] {
    check();
    schedule_check();
  });
}

void QuotaEnforcer::schedule_check() {
  if (auto scheduled = start(); !scheduled) spdlog::error("quotas: no periodic check: {}", scheduled.error());
}

bool QuotaEnforcer::evaluate() {
  if (tracker_.empty() || !usage_) return false;
  auto update = tracker_.update(hooks_.clock(), usage_);
  if (!update) {
    if (!failing_) spdlog::error("quotas: {} (states kept until it can be read)", update.error());
    failing_ = true;
    return false;
  }
  if (failing_) spdlog::info("quotas: usage readable again");
  failing_ = false;
  for (const std::string& message : update->messages) spdlog::warn("{}", message);
  return update->limits_changed;
}

void QuotaEnforcer::check() {
  if (!tracker_.empty() && !said_uncounted_ && !hooks_.counted()) {
    spdlog::error(
        "quotas not enforced: their use is counted by the eBPF classifier, and the u32 fallback "
        "does not count it");
    said_uncounted_ = true;
  }
  if (evaluate()) hooks_.replan();
  arm_reset_timer();
}

// The periodic check would notice a new period within a second; this timer
// makes the lift exact and independent of it.
void QuotaEnforcer::arm_reset_timer() {
  const auto reset = tracker_.next_reset();
  if (!reset) return;
  const int64_t seconds = std::max<int64_t>(0, *reset - hooks_.clock());
  auto armed = loop_.after("quota-reset", std::chrono::seconds(seconds) + kResetMargin, [this] { check(); });
  if (!armed) spdlog::error("quotas: no timer for the next period: {}", armed.error());
}

}  // namespace nettoll
