// SPDX-License-Identifier: Apache-2.0
#include "usage/quota_tracker.h"

#include <gtest/gtest.h>

#include <map>

#include "time_zone_fixture.h"

namespace nettoll {
namespace {

using testing::kBerlin;
using testing::local_time;
using testing::ScopedTimeZone;

constexpr uint64_t kMB = 1'000'000;

// Usage as a test sets it: per rule ("" = the whole link), counted from any hour.
struct FakeUsage {
  std::map<std::string, UsageBucket> by_rule;
  std::vector<UsageFilter> asked;
  QuotaTracker::UsageSource source() {
    return [this](const UsageFilter& filter) -> Result<UsageBucket> {
      asked.push_back(filter);
      return by_rule[filter.rule];
    };
  }
};

Config limits() {
  Config config;
  config.download.limit = Rate::bits_per_second(50'000'000);
  ProcessRule updater;
  updater.name = "updater";
  config.processes.push_back(updater);
  ProcessRule other;
  other.name = "other";
  config.processes.push_back(other);
  return config;
}

std::vector<ScopedQuota> quotas() {
  QuotaConfig link;
  link.period = {QuotaPeriodKind::month, 1};
  link.total = 100 * kMB;
  link.then.download = Rate::bits_per_second(1'000'000);
  QuotaConfig daily;
  daily.period = {QuotaPeriodKind::day, 0};
  daily.download = 20 * kMB;
  daily.warn_at = 0.5;
  daily.then.download = Rate::bits_per_second(64'000);
  return {{"link", link}, {"updater", daily}};
}

TEST(QuotaTracker, OverQuotaLowersTheRulesCeilingAndANewDayLiftsIt) {
  ScopedTimeZone zone(kBerlin);
  const Config config = limits();
  QuotaTracker tracker(quotas());
  FakeUsage usage;
  const int64_t morning = local_time(2026, 12, 2, 9);

  usage.by_rule["updater"] = {"", 0, 5 * kMB, 0};
  auto first = tracker.update(morning, usage.source());
  ASSERT_TRUE(first);
  EXPECT_FALSE(first->limits_changed);
  EXPECT_TRUE(first->messages.empty());
  // The link's use counts from the month's first hour, the rule's from the day's.
  ASSERT_EQ(usage.asked.size(), 2u);
  EXPECT_EQ(usage.asked[0].from, local_time(2026, 12, 1));
  EXPECT_EQ(usage.asked[0].rule, "");
  EXPECT_EQ(usage.asked[1].from, local_time(2026, 12, 2));
  EXPECT_EQ(usage.asked[1].rule, "updater");
  EXPECT_EQ(tracker.next_reset(), local_time(2026, 12, 3));
  EXPECT_FALSE(tracker.effective(config).processes[0].download.limit);

  usage.by_rule["updater"] = {"", 0, 12 * kMB, 0};
  auto warned = tracker.update(morning + 60, usage.source());
  ASSERT_EQ(warned->messages.size(), 1u);
  EXPECT_NE(warned->messages[0].find("quota of rule 'updater' nearly used up"), std::string::npos);
  EXPECT_FALSE(warned->limits_changed);

  usage.by_rule["updater"] = {"", 0, 20 * kMB, 0};
  auto over = tracker.update(morning + 120, usage.source());
  EXPECT_TRUE(over->limits_changed);
  const Config limited = tracker.effective(config);
  EXPECT_EQ(limited.processes[0].download.limit, Rate::bits_per_second(64'000));
  EXPECT_FALSE(limited.processes[1].download.limit);
  EXPECT_EQ(limited.download.limit, Rate::bits_per_second(50'000'000));  // the link is under its quota
  EXPECT_FALSE(tracker.update(morning + 180, usage.source())->limits_changed);

  // Midnight: the database's use of the new day is zero.
  usage.by_rule["updater"] = {};
  auto next_day = tracker.update(local_time(2026, 12, 3), usage.source());
  EXPECT_TRUE(next_day->limits_changed);
  ASSERT_EQ(next_day->messages.size(), 1u);
  EXPECT_NE(next_day->messages[0].find("new period from 2026-12-03 00:00, limits lifted"), std::string::npos);
  EXPECT_FALSE(tracker.effective(config).processes[0].download.limit);
}

TEST(QuotaTracker, TheLinksQuotaLowersTheGlobalLimitAndShowsInStatus) {
  ScopedTimeZone zone(kBerlin);
  const Config config = limits();
  QuotaTracker tracker(quotas());
  FakeUsage usage;
  usage.by_rule[""] = {"", 0, 80 * kMB, 30 * kMB};
  auto update = tracker.update(local_time(2026, 12, 20, 12), usage.source());
  ASSERT_TRUE(update);
  EXPECT_TRUE(update->limits_changed);  // over already at the first look (after a restart)
  EXPECT_EQ(tracker.effective(config).download.limit, Rate::bits_per_second(1'000'000));
  EXPECT_EQ(tracker.next_reset(), local_time(2026, 12, 21));  // the daily one ends first

  const nlohmann::json status = tracker.status_json();
  ASSERT_EQ(status.size(), 2u);
  EXPECT_EQ(status[0]["scope"], "link");
  EXPECT_EQ(status[0]["state"], "over");
  EXPECT_EQ(status[0]["resets"], local_time(2027, 1, 1));
  EXPECT_EQ(status[0]["measures"][0]["used"], 110 * kMB);
  EXPECT_EQ(status[0]["measures"][0]["remaining"], 0);
  EXPECT_EQ(status[1]["scope"], "updater");
  EXPECT_EQ(status[1]["state"], "under");
  EXPECT_EQ(status[1]["measures"][0]["remaining"], 20 * kMB);
}

TEST(QuotaTracker, AFailingSourceKeepsTheStates) {
  const Config config = limits();
  QuotaTracker tracker(quotas());
  auto failed = tracker.update(1'800'000'000, [](const UsageFilter&) -> Result<UsageBucket> {
    return Error{"usage database /x: disk I/O error"};
  });
  ASSERT_FALSE(failed.ok());
  EXPECT_EQ(failed.error(), "usage database /x: disk I/O error");
  EXPECT_FALSE(tracker.next_reset());
  EXPECT_TRUE(QuotaTracker({}).empty());
}

}  // namespace
}  // namespace nettoll
