// SPDX-License-Identifier: Apache-2.0
#include "usage/usage_recorder.h"

#include <ctime>

namespace nettoll {
namespace {

constexpr int64_t kSecondsPerDay = 24 * kSecondsPerHour;

bool selected(const UsageFilter& filter, const HourlyUsage& row) {
  return row.hour >= filter.from && row.hour < filter.to && (filter.rule.empty() || filter.rule == row.rule);
}

}  // namespace

UsageRecorder::UsageRecorder(UsageStore store, int retention_days, Clock clock)
    : store_(std::move(store)), retention_days_(retention_days), clock_(std::move(clock)) {
  if (!clock_) clock_ = [] { return static_cast<int64_t>(std::time(nullptr)); };
}

void UsageRecorder::record(int64_t now, const UsageDeltas& deltas) {
  for (const UsageSample& delta : deltas) rollup_.add(now, delta);
}

Result<void> UsageRecorder::flush(int64_t now) {
  if (!rollup_.empty()) {
    if (auto written = store_.add(rollup_.pending()); !written) return written;
    (void)rollup_.take();
  }
  if (last_prune_ && now - *last_prune_ < kSecondsPerDay) return success();
  last_prune_ = now;
  auto pruned = store_.prune_before(hour_of(now - retention_days_ * kSecondsPerDay));
  if (!pruned) return Error{pruned.error()};
  return success();
}

Result<UsageBucket> UsageRecorder::used(const UsageFilter& filter) const {
  auto stored = store_.totals(UsageKey::hour, filter);
  if (!stored) return Error{stored.error()};
  UsageBucket sum;
  for (const UsageBucket& bucket : *stored) {
    sum.download += bucket.download;
    sum.upload += bucket.upload;
  }
  for (const HourlyUsage& row : rollup_.pending()) {
    if (!selected(filter, row)) continue;
    (row.direction == UsageDirection::download ? sum.download : sum.upload) += row.bytes;
  }
  return sum;
}

}  // namespace nettoll
