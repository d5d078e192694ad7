// SPDX-License-Identifier: Apache-2.0
// UsageRollup: adds byte deltas into hourly rows in memory until they are
// written (once a minute, and on stop). Pure: no clock of its own, no file.
#pragma once

#include <cstdint>
#include <map>
#include <string>
#include <tuple>
#include <vector>

#include "usage/usage_row.h"

namespace nettoll {

class UsageRollup {
 public:
  // Adds `delta` to the row of the hour that holds Unix time `now_seconds`.
  // Zero-byte deltas are ignored.
  void add(int64_t now_seconds, const UsageSample& delta);
  // The rows gathered since the last take(), in (hour, process, rule,
  // direction) order; empties the rollup.
  std::vector<HourlyUsage> take();
  // The rows not yet taken (for usage = database + not yet written).
  std::vector<HourlyUsage> pending() const;
  bool empty() const { return rows_.empty(); }

 private:
  using Key = std::tuple<int64_t, std::string, std::string, UsageDirection>;
  std::map<Key, uint64_t> rows_;
};

}  // namespace nettoll
