// SPDX-License-Identifier: Apache-2.0
#include "usage/quota_period.h"

#include <algorithm>
#include <ctime>
#include <string>

namespace nettoll {
namespace {

bool leap_year(int year) { return (year % 4 == 0 && year % 100 != 0) || year % 400 == 0; }

int days_in_month(int year, int month0) {
  static constexpr int kDays[12] = {31, 28, 31, 30, 31, 30, 31, 31, 30, 31, 30, 31};
  return month0 == 1 && leap_year(year) ? 29 : kDays[month0];
}

// Local midnight of a calendar day; `day` may run past the month (mktime
// normalises it), so "day + 7" is the same weekday a week later.
int64_t local_midnight(int year, int month0, int day) {
  std::tm date{};
  date.tm_year = year - 1900;
  date.tm_mon = month0;
  date.tm_mday = day;
  date.tm_isdst = -1;  // let the zone's rules say whether DST is in force then
  return static_cast<int64_t>(std::mktime(&date));
}

// The start day of `period` in the month (year, month0), clamped to its length.
int start_day(int configured, int year, int month0) {
  return std::min(configured, days_in_month(year, month0));
}

PeriodSpan month_span(int configured, int year, int month0, int day) {
  auto shift = [](int& y, int& m, int by) {
    m += by;
    if (m < 0) m += 12, --y;
    if (m > 11) m -= 12, ++y;
  };
  int begin_year = year, begin_month = month0;
  if (day < start_day(configured, year, month0)) shift(begin_year, begin_month, -1);
  int end_year = begin_year, end_month = begin_month;
  shift(end_year, end_month, 1);
  return PeriodSpan{local_midnight(begin_year, begin_month, start_day(configured, begin_year, begin_month)),
                    local_midnight(end_year, end_month, start_day(configured, end_year, end_month))};
}

}  // namespace

PeriodSpan period_containing(const QuotaPeriod& period, int64_t now) {
  const std::time_t moment = static_cast<std::time_t>(now);
  std::tm local{};
  localtime_r(&moment, &local);
  const int year = local.tm_year + 1900;
  switch (period.kind) {
    case QuotaPeriodKind::day:
      return PeriodSpan{local_midnight(year, local.tm_mon, local.tm_mday),
                        local_midnight(year, local.tm_mon, local.tm_mday + 1)};
    case QuotaPeriodKind::week: {
      const int weekday = local.tm_wday == 0 ? 7 : local.tm_wday;  // 1 = Monday .. 7 = Sunday
      const int back = (weekday - period.start + 7) % 7;
      const int first = local.tm_mday - back;
      return PeriodSpan{local_midnight(year, local.tm_mon, first),
                        local_midnight(year, local.tm_mon, first + 7)};
    }
    case QuotaPeriodKind::month:
      break;
  }
  return month_span(period.start, year, local.tm_mon, local.tm_mday);
}

std::string format_local_time(int64_t seconds, const char* format) {
  const std::time_t moment = static_cast<std::time_t>(seconds);
  std::tm local{};
  localtime_r(&moment, &local);
  char text[64];
  return std::strftime(text, sizeof text, format, &local) > 0 ? text : "";
}

Result<QuotaPeriodKind> parse_period_kind(std::string_view text) {
  if (text == "day") return QuotaPeriodKind::day;
  if (text == "week") return QuotaPeriodKind::week;
  if (text == "month") return QuotaPeriodKind::month;
  return Error{"expected day, week or month, got '" + std::string(text) + "'"};
}

int max_period_start(QuotaPeriodKind kind) {
  switch (kind) {
    case QuotaPeriodKind::day:
      return 0;
    case QuotaPeriodKind::week:
      return 7;
    case QuotaPeriodKind::month:
      break;
  }
  return 31;
}

}  // namespace nettoll
