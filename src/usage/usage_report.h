// SPDX-License-Identifier: Apache-2.0
// What `nettoll usage` prints: the time range asked for, the buckets of the
// database grouped by process, rule, local day or hour, as a table with
// human units or as JSON. Pure: the database's buckets come in as values.
#pragma once

#include <cstdint>
#include <nlohmann/json.hpp>
#include <string>
#include <string_view>
#include <vector>

#include "core/result.h"
#include "usage/quota_period.h"
#include "usage/usage_store.h"

namespace nettoll {

enum class UsageGrouping { process, rule, day, hour };
// Days and hours as they are, or each split into its rules or processes
// (the dashboard's stacked bars).
enum class UsageSplit { none, rule, process };

// [from, to) in Unix seconds.
struct UsageRange {
  int64_t from = 0;
  int64_t to = 0;
};

struct UsageReportRow {
  std::string label;  // process or rule name, "2026-12-01" or "2026-12-01 14:00" (local time)
  uint64_t download = 0;
  uint64_t upload = 0;
  std::string part;  // the rule or process of a split day or hour, else ""
  uint64_t total() const { return download + upload; }
};

// "process", "rule", "day" or "hour"; fails naming them.
Result<UsageGrouping> parse_usage_grouping(std::string_view text);
// "" (none), "rule" or "process", allowed with day and hour only; fails
// naming them.
Result<UsageSplit> parse_usage_split(std::string_view text, UsageGrouping by);
// The range from `text` ago ("90min", "24h", "7d", "2w") until `now`. Fails
// on another unit, on zero and on a missing number.
Result<UsageRange> usage_range_since(std::string_view text, int64_t now);
// The current day, week (from Monday) or month (from the 1st), local time.
UsageRange usage_range_period(QuotaPeriodKind kind, int64_t now);

// What the database query must sum by for `by` (day sums hours).
UsageKey usage_key_for(UsageGrouping by, UsageSplit split = UsageSplit::none);
// The rows of the report: names sorted by total (largest first, then by
// name), days and hours in time order (split: one row per part, by name).
std::vector<UsageReportRow> build_usage_report(const std::vector<UsageBucket>& buckets, UsageGrouping by,
                                               UsageSplit split = UsageSplit::none);

// A table with a header, human units and a total line; or a line saying
// that nothing was recorded in the range.
std::string format_usage_table(const std::vector<UsageReportRow>& rows, UsageGrouping by);
// {"from":..., "to":..., "by":..., "rows":[{"name", "download", "upload", "total"}]}, bytes;
// split, also "split" and each row's "part".
nlohmann::json usage_report_json(const std::vector<UsageReportRow>& rows, const UsageRange& range,
                                 UsageGrouping by, UsageSplit split = UsageSplit::none);

}  // namespace nettoll
