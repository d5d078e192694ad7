// SPDX-License-Identifier: Apache-2.0
// The dashboard's 10-minute rate history: the ring buffer, `since`, and how
// a sample is made from the plan's classes or the processes' rates.
#include "core/rate_history.h"

#include <gtest/gtest.h>

namespace nettoll {
namespace {

RateSample at(int64_t unix_ms) {
  RateSample sample;
  sample.unix_ms = unix_ms;
  return sample;
}

TEST(RateHistory, KeepsTheLastCapacitySamplesOldestFirst) {
  RateHistory history(3);
  for (int64_t t = 1; t <= 5; ++t) history.add(at(t * 1000));
  ASSERT_EQ(history.size(), 3u);
  const auto all = history.since(std::nullopt);
  ASSERT_EQ(all.size(), 3u);
  EXPECT_EQ(all[0].unix_ms, 3000);
  EXPECT_EQ(all[1].unix_ms, 4000);
  EXPECT_EQ(all[2].unix_ms, 5000);
}

TEST(RateHistory, SinceReturnsOnlyNewerSamples) {
  RateHistory history;
  for (int64_t t = 1; t <= 700; ++t) history.add(at(t * 1000));
  EXPECT_EQ(history.since(std::nullopt).size(), RateHistory::kDefaultCapacity);
  const auto newer = history.since(698'000);
  ASSERT_EQ(newer.size(), 2u);
  EXPECT_EQ(newer[0].unix_ms, 699'000);
  EXPECT_TRUE(history.since(700'000).empty());
  EXPECT_EQ(history.since(0).size(), RateHistory::kDefaultCapacity);
}

HtbTree tree(const std::string& device, Rate global_ceil) {
  HtbTree t;
  t.device = device;
  t.qdisc = Handle{kHtbMajor, 0};
  t.classes.push_back(
      HtbClass{Handle{kHtbMajor, kRootClassMinor}, t.qdisc, "global", global_ceil, global_ceil});
  t.classes.push_back(HtbClass{Handle{kHtbMajor, kDefaultClassMinor}, Handle{kHtbMajor, kRootClassMinor},
                               "default", Rate::bits_per_second(1000), global_ceil});
  t.classes.push_back(HtbClass{Handle{kHtbMajor, kFirstRuleClassMinor}, Handle{kHtbMajor, kRootClassMinor},
                               "browser", Rate::bits_per_second(1000), global_ceil});
  return t;
}

TEST(RateSampleOf, AShapedDirectionComesFromItsClasses) {
  Plan plan;
  plan.egress = tree("vA", Rate::bits_per_second(10'000'000));
  const std::map<std::string, double> bytes_per_second{
      {"vA 7a:1", 1000}, {"vA 7a:2", 250}, {"vA 7a:10", 750}};
  ProcessUsage process;
  process.rule = "browser";
  process.download_bytes_per_second = 100;
  process.upload_bytes_per_second = 99999;  // ignored: upload is shaped, its classes count
  const RateSample sample = rate_sample(
      42, plan,
      [&](const std::string& key) { return bytes_per_second.count(key) ? bytes_per_second.at(key) : 0.0; },
      {process});
  EXPECT_EQ(sample.unix_ms, 42);
  EXPECT_DOUBLE_EQ(sample.upload_bps, 8000);
  EXPECT_EQ(sample.upload_limit_bps, 10'000'000u);
  EXPECT_DOUBLE_EQ(sample.rules.at("").upload_bps, 2000);
  EXPECT_DOUBLE_EQ(sample.rules.at("browser").upload_bps, 6000);
  // Download is not shaped: the processes' rates, and no limit.
  EXPECT_DOUBLE_EQ(sample.download_bps, 800);
  EXPECT_FALSE(sample.download_limit_bps);
  EXPECT_DOUBLE_EQ(sample.rules.at("browser").download_bps, 800);
}

TEST(HistoryJson, HasTheContractsShape) {
  RateSample sample = at(1733100000000);
  sample.download_bps = 1234.6;
  sample.upload_limit_bps = 5'000'000;
  sample.rules["browser"] = RuleRates{800, 0.4};
  const nlohmann::json json = history_json({sample});
  EXPECT_EQ(json["interval_ms"], 1000);
  const nlohmann::json& first = json["samples"].at(0);
  EXPECT_EQ(first["t"], 1733100000000);
  EXPECT_EQ(first["download_bps"], 1235);
  EXPECT_EQ(first["upload_bps"], 0);
  EXPECT_TRUE(first["download_limit_bps"].is_null());
  EXPECT_EQ(first["upload_limit_bps"], 5'000'000);
  EXPECT_EQ(first["rules"]["browser"]["download_bps"], 800);
  EXPECT_EQ(first["rules"]["browser"]["upload_bps"], 0);
}

TEST(ParseSinceMs, AcceptsMillisecondsOnly) {
  EXPECT_EQ(*parse_since_ms("1733100000000"), 1733100000000);
  for (const char* bad : {"", "abc", "12x", "1.5", " 1"}) {
    auto parsed = parse_since_ms(bad);
    ASSERT_FALSE(parsed) << bad;
    EXPECT_NE(parsed.error().find("since:"), std::string::npos);
  }
}

}  // namespace
}  // namespace nettoll
