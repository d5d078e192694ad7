// SPDX-License-Identifier: Apache-2.0
#include "usage/usage_rollup.h"

namespace nettoll {

void UsageRollup::add(int64_t now_seconds, const UsageSample& delta) {
  if (delta.bytes == 0) return;
  rows_[Key{hour_of(now_seconds), delta.name, delta.rule, delta.direction}] += delta.bytes;
}

std::vector<HourlyUsage> UsageRollup::pending() const {
  std::vector<HourlyUsage> rows;
  rows.reserve(rows_.size());
  for (const auto& [key, bytes] : rows_) {
    const auto& [hour, process, rule, direction] = key;
    rows.push_back(HourlyUsage{hour, process, rule, direction, bytes});
  }
  return rows;
}

std::vector<HourlyUsage> UsageRollup::take() {
  std::vector<HourlyUsage> rows = pending();
  rows_.clear();
  return rows;
}

}  // namespace nettoll
