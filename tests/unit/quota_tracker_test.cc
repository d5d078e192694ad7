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
  EXPECT_EQ(status[1]["state"], "ok");
  EXPECT_EQ(status[1]["measures"][0]["remaining"], 20 * kMB);
}

TEST(QuotaTracker, ABlockQuotaMarksItsRuleOnlyWhileOver) {
  ScopedTimeZone zone(kBerlin);
  Config config = limits();
  QuotaConfig daily;
  daily.period = {QuotaPeriodKind::day, 0};
  daily.download = 20 * kMB;
  daily.then.block = true;
  QuotaTracker tracker({{"updater", daily}});
  FakeUsage usage;
  const int64_t noon = local_time(2026, 12, 2, 12);

  usage.by_rule["updater"] = {"", 0, 19 * kMB, 0};
  ASSERT_TRUE(tracker.update(noon, usage.source()));
  EXPECT_FALSE(tracker.effective(config).processes[0].blocked);
  EXPECT_EQ(tracker.status_json()[0]["state"], "ok");

  usage.by_rule["updater"] = {"", 0, 21 * kMB, 0};
  auto over = tracker.update(noon + 1, usage.source());
  ASSERT_TRUE(over);
  EXPECT_TRUE(over->limits_changed);
  const Config blocked = tracker.effective(config);
  EXPECT_TRUE(blocked.processes[0].blocked);
  EXPECT_FALSE(blocked.processes[0].download.limit) << "block sets no ceiling";
  EXPECT_FALSE(blocked.processes[1].blocked);
  EXPECT_EQ(tracker.status_json()[0]["state"], "blocked");
  EXPECT_DOUBLE_EQ(tracker.status_json()[0]["measures"][0]["percent"].get<double>(), 105.0);

  usage.by_rule["updater"] = {};
  auto next_day = tracker.update(local_time(2026, 12, 3), usage.source());
  EXPECT_TRUE(next_day->limits_changed);
  EXPECT_FALSE(tracker.effective(config).processes[0].blocked);
}

TEST(QuotaTracker, MetricsCarryRuleAndDirection) {
  ScopedTimeZone zone(kBerlin);
  QuotaTracker tracker(quotas());
  FakeUsage usage;
  usage.by_rule[""] = {"", 0, 60 * kMB, 50 * kMB};
  usage.by_rule["updater"] = {"", 0, 5 * kMB, 0};
  EXPECT_TRUE(tracker.metric_families()[0].samples.empty()) << "nothing before the first update";
  ASSERT_TRUE(tracker.update(local_time(2026, 12, 2, 9), usage.source()));
  const std::vector<MetricFamily> families = tracker.metric_families();
  ASSERT_EQ(families.size(), 3u);
  EXPECT_EQ(families[0].name, "nettoll_quota_used_bytes");
  EXPECT_EQ(families[1].name, "nettoll_quota_limit_bytes");
  EXPECT_EQ(families[2].name, "nettoll_quota_exceeded");
  ASSERT_EQ(families[0].samples.size(), 2u);
  const std::map<std::string, std::string> link{{"rule", "link"}, {"direction", "total"}};
  const std::map<std::string, std::string> rule{{"rule", "updater"}, {"direction", "download"}};
  EXPECT_EQ(families[0].samples[0].labels, link);
  EXPECT_EQ(families[0].samples[0].value, 110e6);
  EXPECT_EQ(families[1].samples[0].value, 100e6);
  EXPECT_EQ(families[2].samples[0].value, 1.0);
  EXPECT_EQ(families[0].samples[1].labels, rule);
  EXPECT_EQ(families[2].samples[1].value, 0.0);
}

// A reload keeps what is known of unchanged quotas (no second warning, the
// limits stay until the next update) and forgets changed ones.
TEST(QuotaTracker, AReloadKeepsTheStatesOfUnchangedQuotas) {
  ScopedTimeZone zone(kBerlin);
  Config config = limits();
  QuotaTracker before(quotas());
  FakeUsage usage;
  usage.by_rule[""] = {"", 0, 200 * kMB, 0};
  usage.by_rule["updater"] = {"", 0, 15 * kMB, 0};
  ASSERT_TRUE(before.update(local_time(2026, 12, 2, 9), usage.source()));

  std::vector<ScopedQuota> changed = quotas();
  changed[0].config.total = 500 * kMB;
  QuotaTracker after(changed);
  after.keep_states_of(before);
  EXPECT_EQ(after.effective(config).download.limit, config.download.limit) << "the link quota changed";
  auto update = after.update(local_time(2026, 12, 2, 9, 1), usage.source());
  ASSERT_TRUE(update);
  EXPECT_TRUE(update->messages.empty()) << "the updater's warning was said before the reload";

  QuotaTracker same(quotas());
  same.keep_states_of(before);
  EXPECT_EQ(same.effective(config).download.limit, Rate::bits_per_second(1'000'000));
}

TEST(QuotaTracker, QuotasOfAConfigComeLinkFirst) {
  Config config = limits();
  config.quota = quotas()[0].config;
  config.processes[1].quota = quotas()[1].config;
  const std::vector<ScopedQuota> found = QuotaTracker::quotas_of(config);
  ASSERT_EQ(found.size(), 2u);
  EXPECT_EQ(found[0].scope, "link");
  EXPECT_EQ(found[1].scope, "other");
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
