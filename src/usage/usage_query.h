// SPDX-License-Identifier: Apache-2.0
// One usage question, as `nettoll usage` and `GET /v1/usage` ask it: group
// by process, rule, day or hour (days and hours optionally split by rule or
// process), over `since` ("30d") or the current `period` (day, week,
// month), optionally one rule only.
#pragma once

#include <cstdint>
#include <nlohmann/json.hpp>
#include <string>

#include "core/result.h"
#include "usage/usage_report.h"
#include "usage/usage_store.h"

namespace nettoll {

struct UsageQuery {
  std::string by = "process";
  std::string since;   // "" = since the start (unless period is set)
  std::string period;  // "" or day, week, month
  std::string rule;    // "" = every rule
  std::string split;   // "" or rule, process: each day or hour per rule or process
};

struct PlannedUsageQuery {
  UsageGrouping by = UsageGrouping::process;
  UsageRange range;
  std::string rule;
  UsageSplit split = UsageSplit::none;
};

// The grouping and time range of `query` at `now` (Unix seconds). Fails
// with a message naming the bad option (the caller's input was wrong).
Result<PlannedUsageQuery> plan_usage_query(const UsageQuery& query, int64_t now);

// The report rows of `planned` from `store`. Fails when the database does.
Result<std::vector<UsageReportRow>> read_usage(UsageStore& store, const PlannedUsageQuery& planned);

}  // namespace nettoll
