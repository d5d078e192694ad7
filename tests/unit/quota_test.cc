// SPDX-License-Identifier: Apache-2.0
#include "usage/quota.h"

#include <gtest/gtest.h>

#include "time_zone_fixture.h"

namespace nettoll {
namespace {

using testing::kBerlin;
using testing::local_time;
using testing::ScopedTimeZone;

constexpr uint64_t kMB = 1'000'000;

QuotaConfig monthly_total(uint64_t total) {
  QuotaConfig quota;
  quota.period = {QuotaPeriodKind::month, 1};
  quota.total = total;
  quota.warn_at = 0.8;
  quota.then.download = Rate::bits_per_second(1'000'000);
  quota.then.upload = Rate::bits_per_second(256'000);
  return quota;
}

TEST(Quota, LevelsFollowUse) {
  ScopedTimeZone zone(kBerlin);
  const QuotaConfig quota = monthly_total(100 * kMB);
  const PeriodSpan period = period_containing(quota.period, local_time(2026, 12, 10));
  EXPECT_EQ(evaluate_quota("link", quota, period, {"", 0, 50 * kMB, 29 * kMB}).level, QuotaLevel::under);
  EXPECT_EQ(evaluate_quota("link", quota, period, {"", 0, 50 * kMB, 30 * kMB}).level, QuotaLevel::warning);
  const QuotaStatus over = evaluate_quota("link", quota, period, {"", 0, 90 * kMB, 10 * kMB});
  EXPECT_EQ(over.level, QuotaLevel::over);
  ASSERT_EQ(over.measures.size(), 1u);
  EXPECT_EQ(over.measures[0].used, 100 * kMB);
  EXPECT_EQ(over.measures[0].remaining(), 0u);
  EXPECT_EQ(evaluate_quota("link", quota, period, {"", 0, 99 * kMB, 0}).measures[0].remaining(), kMB);
}

TEST(Quota, EachDirectionCountsAlone) {
  QuotaConfig quota;
  quota.period = {QuotaPeriodKind::day, 0};
  quota.download = 20 * kMB;
  quota.upload = 5 * kMB;
  quota.then.block = true;
  const PeriodSpan period{0, 86400};
  EXPECT_EQ(evaluate_quota("updater", quota, period, {"", 0, 19 * kMB, 4 * kMB}).level, QuotaLevel::under);
  EXPECT_EQ(evaluate_quota("updater", quota, period, {"", 0, 1 * kMB, 5 * kMB}).level, QuotaLevel::over);
  const QuotaStatus status = evaluate_quota("updater", quota, period, {"", 0, 20 * kMB, 0});
  EXPECT_EQ(status.level, QuotaLevel::over);  // no warn-at: straight from under to over
  EXPECT_EQ(status.measures.size(), 2u);
}

TEST(Quota, ThenLowersCeilingsOnly) {
  QuotaThen then;
  then.download = Rate::bits_per_second(1'000'000);
  then.upload = Rate::bits_per_second(256'000);
  DirectionSettings download{Rate::bits_per_second(50'000'000), Rate::bits_per_second(2'000'000), 3};
  DirectionSettings upload{Rate::bits_per_second(100'000), std::nullopt, std::nullopt};
  apply_quota_limits(then, download, upload);
  EXPECT_EQ(download.limit, Rate::bits_per_second(1'000'000));
  EXPECT_EQ(download.minimum, Rate::bits_per_second(1'000'000));  // never above the ceiling
  EXPECT_EQ(download.priority, 3);
  EXPECT_EQ(upload.limit, Rate::bits_per_second(100'000));  // already lower: kept
  DirectionSettings unlimited;
  DirectionSettings untouched;
  apply_quota_limits(QuotaThen{false, Rate::bits_per_second(2'000'000), std::nullopt}, unlimited, untouched);
  EXPECT_EQ(unlimited.limit, Rate::bits_per_second(2'000'000));
  EXPECT_FALSE(untouched.limit);
}

TEST(Quota, TransitionsAreLoggedOnceAndANewPeriodLiftsThem) {
  ScopedTimeZone zone(kBerlin);
  const QuotaConfig quota = monthly_total(100 * kMB);
  const PeriodSpan december = period_containing(quota.period, local_time(2026, 12, 10));
  const PeriodSpan january = period_containing(quota.period, local_time(2027, 1, 1, 0, 1));
  const QuotaStatus under = evaluate_quota("link", quota, december, {"", 0, 10 * kMB, 0});
  const QuotaStatus warning = evaluate_quota("link", quota, december, {"", 0, 85 * kMB, 0});
  const QuotaStatus over = evaluate_quota("link", quota, december, {"", 0, 100 * kMB, 0});
  const QuotaStatus reset = evaluate_quota("link", quota, january, {"", 0, 0, 0});

  EXPECT_FALSE(quota_transition_message(std::nullopt, under));
  EXPECT_EQ(quota_transition_message(under, warning),
            "link quota nearly used up (85.0 MB of 100 MB total used, 15.0 MB left)");
  EXPECT_FALSE(quota_transition_message(warning, warning));
  EXPECT_EQ(quota_transition_message(warning, over),
            "link quota used up (100 MB of 100 MB total used, 0 B left): over-quota limits apply until "
            "2027-01-01 00:00");
  EXPECT_FALSE(quota_transition_message(over, over));
  EXPECT_FALSE(quota_transition_message(over, warning));  // use never falls within a period
  EXPECT_EQ(quota_transition_message(over, reset),
            "link quota: new period from 2027-01-01 00:00, limits lifted");
  // Over already when the daemon starts (the database remembers).
  EXPECT_TRUE(quota_transition_message(std::nullopt, over));
}

TEST(Quota, DescribeNamesUseRemainingAndReset) {
  ScopedTimeZone zone(kBerlin);
  QuotaConfig quota;
  quota.period = {QuotaPeriodKind::day, 0};
  quota.download = 2'000'000'000;
  const QuotaStatus status = evaluate_quota(
      "updater", quota, period_containing(quota.period, local_time(2026, 12, 1, 9)), {"", 0, 500'000'000, 7});
  EXPECT_EQ(
      describe_quota(status),
      "quota of rule 'updater': 500 MB of 2.00 GB download used, 1.50 GB left, resets 2026-12-02 00:00");
}

}  // namespace
}  // namespace nettoll
