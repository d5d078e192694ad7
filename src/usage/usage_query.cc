// SPDX-License-Identifier: Apache-2.0
#include "usage/usage_query.h"

namespace nettoll {

Result<PlannedUsageQuery> plan_usage_query(const UsageQuery& query, int64_t now) {
  auto by = parse_usage_grouping(query.by);
  if (!by) return Error{by.error()};
  auto split = parse_usage_split(query.split, *by);
  if (!split) return Error{split.error()};
  PlannedUsageQuery planned{*by, UsageRange{0, now}, query.rule, *split};
  if (!query.since.empty() && !query.period.empty()) return Error{"give since or period, not both"};
  if (!query.since.empty()) {
    auto since = usage_range_since(query.since, now);
    if (!since) return Error{since.error()};
    planned.range = *since;
  } else if (!query.period.empty()) {
    auto kind = parse_period_kind(query.period);
    if (!kind) return Error{"period: " + kind.error()};
    planned.range = usage_range_period(*kind, now);
  }
  return planned;
}

Result<std::vector<UsageReportRow>> read_usage(UsageStore& store, const PlannedUsageQuery& planned) {
  // Whole hours: the hour that holds `from` counts from its start.
  const UsageFilter filter{hour_of(planned.range.from), planned.range.to + 1, planned.rule};
  auto buckets = store.totals(usage_key_for(planned.by, planned.split), filter);
  if (!buckets) return Error{buckets.error()};
  return build_usage_report(*buckets, planned.by, planned.split);
}

}  // namespace nettoll
