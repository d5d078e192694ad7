// SPDX-License-Identifier: Apache-2.0
#include "usage/quota_period.h"

#include <gtest/gtest.h>

#include "time_zone_fixture.h"

namespace nettoll {
namespace {

using testing::kBerlin;
using testing::local_time;
using testing::ScopedTimeZone;

constexpr int64_t kHour = 3600;

PeriodSpan month(int start, int64_t now) { return period_containing({QuotaPeriodKind::month, start}, now); }

TEST(QuotaPeriod, MonthFromTheFirst) {
  ScopedTimeZone zone(kBerlin);
  EXPECT_EQ(month(1, local_time(2026, 12, 15, 13)),
            (PeriodSpan{local_time(2026, 12, 1), local_time(2027, 1, 1)}));
  EXPECT_EQ(month(1, local_time(2027, 1, 1)), (PeriodSpan{local_time(2027, 1, 1), local_time(2027, 2, 1)}));
  EXPECT_EQ(month(1, local_time(2027, 1, 1) - 1),
            (PeriodSpan{local_time(2026, 12, 1), local_time(2027, 1, 1)}));
}

TEST(QuotaPeriod, MonthStartingLateIsClampedToShortMonths) {
  ScopedTimeZone zone(kBerlin);
  // Start 31: in February the period starts on its last day, 29 in a leap year.
  EXPECT_EQ(month(31, local_time(2028, 3, 15)),
            (PeriodSpan{local_time(2028, 2, 29), local_time(2028, 3, 31)}));
  EXPECT_EQ(month(31, local_time(2027, 3, 15)),
            (PeriodSpan{local_time(2027, 2, 28), local_time(2027, 3, 31)}));
  EXPECT_EQ(month(31, local_time(2027, 2, 27)),
            (PeriodSpan{local_time(2027, 1, 31), local_time(2027, 2, 28)}));
  EXPECT_EQ(month(30, local_time(2027, 4, 30, 8)),
            (PeriodSpan{local_time(2027, 4, 30), local_time(2027, 5, 30)}));
  // 2100 is no leap year, 2000 was.
  EXPECT_EQ(month(29, local_time(2100, 3, 1)),
            (PeriodSpan{local_time(2100, 2, 28), local_time(2100, 3, 29)}));
  EXPECT_EQ(month(29, local_time(2000, 3, 1)),
            (PeriodSpan{local_time(2000, 2, 29), local_time(2000, 3, 29)}));
  // Across the year's end.
  EXPECT_EQ(month(15, local_time(2027, 1, 3)),
            (PeriodSpan{local_time(2026, 12, 15), local_time(2027, 1, 15)}));
}

TEST(QuotaPeriod, DaysAcrossDstChangesAreLocalMidnightToMidnight) {
  ScopedTimeZone zone(kBerlin);
  const PeriodSpan spring = period_containing({QuotaPeriodKind::day, 0}, local_time(2026, 3, 29, 12));
  EXPECT_EQ(spring, (PeriodSpan{local_time(2026, 3, 29), local_time(2026, 3, 30)}));
  EXPECT_EQ(spring.end - spring.begin, 23 * kHour);
  const PeriodSpan autumn = period_containing({QuotaPeriodKind::day, 0}, local_time(2026, 10, 25, 12));
  EXPECT_EQ(autumn.end - autumn.begin, 25 * kHour);
  // A month that holds a DST change is an hour short of its days.
  const PeriodSpan march = month(1, local_time(2026, 3, 10));
  EXPECT_EQ(march.end - march.begin, 31 * 24 * kHour - kHour);
  // Midnight is 23:00 UTC in winter, 22:00 UTC in summer.
  EXPECT_EQ(local_time(2026, 1, 1) % (24 * kHour), 23 * kHour);
  EXPECT_EQ(local_time(2026, 7, 1) % (24 * kHour), 22 * kHour);
}

TEST(QuotaPeriod, WeeksStartOnTheirWeekday) {
  ScopedTimeZone zone(kBerlin);
  // 2026-12-02 is a Wednesday.
  const int64_t wednesday = local_time(2026, 12, 2, 18);
  EXPECT_EQ(period_containing({QuotaPeriodKind::week, 1}, wednesday),
            (PeriodSpan{local_time(2026, 11, 30), local_time(2026, 12, 7)}));
  EXPECT_EQ(period_containing({QuotaPeriodKind::week, 3}, wednesday),
            (PeriodSpan{local_time(2026, 12, 2), local_time(2026, 12, 9)}));
  EXPECT_EQ(period_containing({QuotaPeriodKind::week, 7}, wednesday),
            (PeriodSpan{local_time(2026, 11, 29), local_time(2026, 12, 6)}));
  // Across the month's and year's end.
  EXPECT_EQ(period_containing({QuotaPeriodKind::week, 1}, local_time(2027, 1, 2)),
            (PeriodSpan{local_time(2026, 12, 28), local_time(2027, 1, 4)}));
}

TEST(QuotaPeriod, OtherZonesToo) {
  ScopedTimeZone zone("EST5EDT,M3.2.0,M11.1.0");
  EXPECT_EQ(local_time(2026, 12, 1) % (24 * kHour), 5 * kHour);
  EXPECT_EQ(month(1, local_time(2026, 11, 30, 23, 59)),
            (PeriodSpan{local_time(2026, 11, 1), local_time(2026, 12, 1)}));
}

TEST(QuotaPeriod, Kinds) {
  EXPECT_EQ(*parse_period_kind("week"), QuotaPeriodKind::week);
  EXPECT_EQ(parse_period_kind("year").error(), "expected day, week or month, got 'year'");
  EXPECT_EQ(max_period_start(QuotaPeriodKind::month), 31);
  EXPECT_EQ(max_period_start(QuotaPeriodKind::week), 7);
}

}  // namespace
}  // namespace nettoll
