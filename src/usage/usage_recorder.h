// SPDX-License-Identifier: Apache-2.0
// UsageRecorder: what the daemon hands byte deltas to. Keeps them as hourly
// rows in memory and writes them to the usage database in one transaction
// per flush (the daemon flushes once a minute and on stop, so a crash loses
// at most a minute), and prunes rows older than the retention once a day.
// Time comes in as arguments, so tests need no clock.
#pragma once

#include <cstdint>
#include <functional>
#include <optional>
#include <vector>

#include "core/usage_sample.h"
#include "usage/usage_rollup.h"
#include "usage/usage_store.h"

namespace nettoll {

inline constexpr int kDefaultUsageRetentionDays = 400;
inline constexpr int64_t kUsageFlushSeconds = 60;

class UsageRecorder : public UsageSink {
 public:
  using Clock = std::function<int64_t()>;  // Unix seconds
  // `clock` stamps the deltas on_usage() receives (default: the system's).
  UsageRecorder(UsageStore store, int retention_days, Clock clock = {});

  // The accounting's per-second deltas, stamped with the clock.
  void on_usage(const UsageDeltas& deltas) override { record(clock_(), deltas); }
  // Adds the deltas counted up to Unix time `now`.
  void record(int64_t now, const UsageDeltas& deltas);
  // Writes what was recorded since the last flush, then prunes when a day
  // has passed since the last prune. On a write failure the rows stay in
  // memory for the next flush and the error is returned.
  Result<void> flush(int64_t now);
  // Download and upload bytes of `filter`'s rows: the database's plus those
  // not yet written (a quota's use).
  Result<UsageBucket> used(const UsageFilter& filter) const;

  const UsageStore& store() const { return store_; }
  // A new retention prunes at the next flush when it changed.
  void set_retention_days(int days) {
    if (days != retention_days_) last_prune_.reset();
    retention_days_ = days;
  }

 private:
  UsageStore store_;
  UsageRollup rollup_;
  int retention_days_;
  Clock clock_;
  std::optional<int64_t> last_prune_;
};

}  // namespace nettoll
