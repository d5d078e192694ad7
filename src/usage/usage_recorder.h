// SPDX-License-Identifier: Apache-2.0
// UsageRecorder: what the daemon hands byte deltas to. Keeps them as hourly
// rows in memory and writes them to the usage database in one transaction
// per flush (the daemon flushes once a minute and on stop, so a crash loses
// at most a minute), and prunes rows older than the retention once a day.
// Time comes in as arguments, so tests need no clock.
#pragma once

#include <cstdint>
#include <optional>
#include <vector>

#include "usage/usage_rollup.h"
#include "usage/usage_store.h"

namespace nettoll {

inline constexpr int kDefaultUsageRetentionDays = 400;
inline constexpr int64_t kUsageFlushSeconds = 60;

class UsageRecorder {
 public:
  UsageRecorder(UsageStore store, int retention_days);

  // Adds the deltas counted up to Unix time `now`.
  void record(int64_t now, const std::vector<UsageDelta>& deltas);
  // Writes what was recorded since the last flush, then prunes when a day
  // has passed since the last prune. On a write failure the rows stay in
  // memory for the next flush and the error is returned.
  Result<void> flush(int64_t now);
  // Download and upload bytes of `filter`'s rows: the database's plus those
  // not yet written (a quota's use).
  Result<UsageBucket> used(const UsageFilter& filter) const;

  const UsageStore& store() const { return store_; }

 private:
  UsageStore store_;
  UsageRollup rollup_;
  int retention_days_;
  std::optional<int64_t> last_prune_;
};

}  // namespace nettoll
