// SPDX-License-Identifier: Apache-2.0
#include "usage/usage_report.h"

#include <gtest/gtest.h>

#include "time_zone_fixture.h"

namespace nettoll {
namespace {

using testing::kBerlin;
using testing::local_time;
using testing::ScopedTimeZone;

TEST(UsageReport, SinceAndPeriodRanges) {
  const int64_t now = 1'800'000'000;
  EXPECT_EQ(usage_range_since("7d", now)->from, now - int64_t{7} * 86400);
  EXPECT_EQ(usage_range_since("24h", now)->from, now - int64_t{24} * 3600);
  EXPECT_EQ(usage_range_since("90min", now)->from, now - int64_t{90} * 60);
  EXPECT_EQ(usage_range_since("2w", now)->to, now);
  for (const char* text : {"7", "d", "0d", "-1d", "7y", "1.5d", ""}) {
    auto range = usage_range_since(text, now);
    ASSERT_FALSE(range.ok()) << text;
    EXPECT_NE(range.error().find("--since: expected a number and a unit"), std::string::npos);
  }
  ScopedTimeZone zone(kBerlin);
  const int64_t wednesday = local_time(2026, 12, 2, 18);
  EXPECT_EQ(usage_range_period(QuotaPeriodKind::month, wednesday).from, local_time(2026, 12, 1));
  EXPECT_EQ(usage_range_period(QuotaPeriodKind::week, wednesday).from, local_time(2026, 11, 30));
  EXPECT_EQ(usage_range_period(QuotaPeriodKind::day, wednesday).from, local_time(2026, 12, 2));
  EXPECT_EQ(parse_usage_grouping("hour").value(), UsageGrouping::hour);
  EXPECT_FALSE(parse_usage_grouping("minute").ok());
}

TEST(UsageReport, NamesSortByTotal) {
  const auto rows = build_usage_report(
      {{"apt", 0, 5000, 0}, {"curl", 0, 1500, 10}, {"firefox", 0, 9000, 70}, {"zoom", 0, 1510, 0}},
      UsageGrouping::process);
  ASSERT_EQ(rows.size(), 4u);
  EXPECT_EQ(rows[0].label, "firefox");
  EXPECT_EQ(rows[1].label, "apt");
  EXPECT_EQ(rows[2].label, "curl");  // 1510 each: by name
  EXPECT_EQ(rows[3].label, "zoom");
  EXPECT_EQ(format_usage_table(rows, UsageGrouping::process),
            "Process    Download      Upload       Total\n"
            "firefox     9.00 kB        70 B     9.07 kB\n"
            "apt         5.00 kB         0 B     5.00 kB\n"
            "curl        1.50 kB        10 B     1.51 kB\n"
            "zoom        1.51 kB         0 B     1.51 kB\n"
            "(all)       17.0 kB        80 B     17.1 kB\n");
  const auto json = usage_report_json(rows, {100, 200}, UsageGrouping::process);
  EXPECT_EQ(json["by"], "process");
  EXPECT_EQ(json["from"], 100);
  EXPECT_EQ(json["rows"][0]["name"], "firefox");
  EXPECT_EQ(json["rows"][0]["total"], 9070);
}

TEST(UsageReport, HoursFoldIntoLocalDaysInTimeOrder) {
  ScopedTimeZone zone(kBerlin);
  // 23:00 and 00:00 local are different days although the same UTC day.
  const int64_t late = local_time(2026, 12, 1, 23);
  const auto buckets = std::vector<UsageBucket>{{"", late, 100, 1},
                                                {"", late + 3600, 200, 2},
                                                {"", late + int64_t{2} * 3600, 300, 3},
                                                {"", late - int64_t{24} * 3600, 7, 0}};
  const auto days = build_usage_report(buckets, UsageGrouping::day);
  ASSERT_EQ(days.size(), 3u);
  EXPECT_EQ(days[0].label, "2026-11-30");
  EXPECT_EQ(days[1].label, "2026-12-01");
  EXPECT_EQ(days[1].download, 100u);
  EXPECT_EQ(days[2].label, "2026-12-02");
  EXPECT_EQ(days[2].total(), 505u);
  const auto hours = build_usage_report(buckets, UsageGrouping::hour);
  ASSERT_EQ(hours.size(), 4u);
  EXPECT_EQ(hours[0].label, "2026-11-30 23:00");
  EXPECT_EQ(hours[3].label, "2026-12-02 01:00");
}

TEST(UsageReport, SplitDaysHaveARowPerPart) {
  ScopedTimeZone zone(kBerlin);
  const int64_t morning = local_time(2026, 12, 1, 9);
  const auto rows = build_usage_report({{"web", morning, 100, 1},
                                        {"", morning, 5, 0},
                                        {"updates", morning + 3600, 300, 0},
                                        {"web", morning + 3600, 200, 2},
                                        {"web", morning + int64_t{24} * 3600, 7, 0}},
                                       UsageGrouping::day, UsageSplit::rule);
  ASSERT_EQ(rows.size(), 4u);
  EXPECT_EQ(rows[0].label, "2026-12-01");
  EXPECT_EQ(rows[0].part, "(no rule)");
  EXPECT_EQ(rows[1].part, "updates");
  EXPECT_EQ(rows[2].part, "web");
  EXPECT_EQ(rows[2].total(), 303u) << "both hours of the day";
  EXPECT_EQ(rows[3].label, "2026-12-02");
  EXPECT_EQ(rows[3].part, "web");
  const auto json = usage_report_json(rows, {0, 1}, UsageGrouping::day, UsageSplit::rule);
  EXPECT_EQ(json["split"], "rule");
  EXPECT_EQ(json["rows"][2]["name"], "2026-12-01");
  EXPECT_EQ(json["rows"][2]["part"], "web");
  EXPECT_FALSE(usage_report_json(rows, {0, 1}, UsageGrouping::day).contains("split"));
  EXPECT_EQ(usage_key_for(UsageGrouping::day, UsageSplit::process), UsageKey::hour_and_process);
  EXPECT_EQ(usage_key_for(UsageGrouping::hour, UsageSplit::rule), UsageKey::hour_and_rule);
  EXPECT_EQ(usage_key_for(UsageGrouping::day), UsageKey::hour);
}

TEST(UsageReport, OnlyDaysAndHoursSplit) {
  EXPECT_EQ(parse_usage_split("", UsageGrouping::process).value(), UsageSplit::none);
  EXPECT_EQ(parse_usage_split("process", UsageGrouping::day).value(), UsageSplit::process);
  EXPECT_EQ(parse_usage_split("rule", UsageGrouping::hour).value(), UsageSplit::rule);
  const auto by_name = parse_usage_split("rule", UsageGrouping::process);
  ASSERT_FALSE(by_name.ok());
  EXPECT_NE(by_name.error().find("by=day"), std::string::npos) << by_name.error();
  const auto unknown = parse_usage_split("user", UsageGrouping::day);
  ASSERT_FALSE(unknown.ok());
  EXPECT_NE(unknown.error().find("'user'"), std::string::npos) << unknown.error();
}

TEST(UsageReport, TheHourADstChangeRepeatsStaysTwoRows) {
  ScopedTimeZone zone(kBerlin);
  const int64_t first_two_am = local_time(2026, 10, 25, 1) + 3600;  // 02:00 CEST
  const auto hours =
      build_usage_report({{"", first_two_am, 1, 0}, {"", first_two_am + 3600, 2, 0}}, UsageGrouping::hour);
  ASSERT_EQ(hours.size(), 2u);
  EXPECT_EQ(hours[0].label, "2026-10-25 02:00");
  EXPECT_EQ(hours[1].label, "2026-10-25 02:00");
  EXPECT_EQ(hours[1].download, 2u);
}

TEST(UsageReport, TrafficOfNoRuleIsNamed) {
  const auto rows = build_usage_report({{"", 0, 5, 0}, {"web", 0, 9, 0}}, UsageGrouping::rule);
  ASSERT_EQ(rows.size(), 2u);
  EXPECT_EQ(rows[1].label, "(no rule)");
}

TEST(UsageReport, NothingRecorded) {
  EXPECT_EQ(format_usage_table({}, UsageGrouping::rule), "no usage recorded in this range\n");
}

}  // namespace
}  // namespace nettoll
