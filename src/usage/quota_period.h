// SPDX-License-Identifier: Apache-2.0
// Quota periods: the day, week or month that holds a moment, in local time
// (the TZ of the process), with month ends, leap years and DST changes
// handled by the C library's calendar. Pure: the moment is an argument.
#pragma once

#include <cstdint>
#include <string>
#include <string_view>

#include "core/quota_config.h"
#include "core/result.h"

namespace nettoll {

// [begin, end) in Unix seconds; both are local midnights.
struct PeriodSpan {
  int64_t begin = 0;
  int64_t end = 0;
  bool operator==(const PeriodSpan&) const = default;
};

// The period that holds Unix time `now`.
PeriodSpan period_containing(const QuotaPeriod& period, int64_t now);

// Unix time `seconds` as local time in strftime's `format`, e.g. "%Y-%m-%d %H:%M".
std::string format_local_time(int64_t seconds, const char* format);

// "day", "week" or "month"; fails naming the three.
Result<QuotaPeriodKind> parse_period_kind(std::string_view text);

// The highest `start` a period kind accepts (31, 7, or 0 for day).
int max_period_start(QuotaPeriodKind kind);

}  // namespace nettoll
