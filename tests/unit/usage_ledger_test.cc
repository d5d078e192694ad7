// SPDX-License-Identifier: Apache-2.0
#include "core/usage_ledger.h"

#include <gtest/gtest.h>

#include <set>

namespace nettoll {
namespace {

ProcessCounterReading reading(uint32_t tgid, uint32_t rule, const std::string& comm, uint64_t down,
                              uint64_t up) {
  return {{tgid, rule, comm}, {down, down / 1000, up, up / 1000}};
}

struct LedgerFixture : ::testing::Test {
  std::set<uint32_t> alive{100, 200};
  UsageLedger ledger;
  UsageLedger::Update update(const std::vector<ProcessCounterReading>& readings) {
    return ledger.update(
        readings, [this](uint32_t tgid) { return alive.count(tgid) > 0; },
        [](uint32_t rule) { return rule == 1 ? std::string("browser") : "rule " + std::to_string(rule); },
        2.0);
  }
};

uint64_t delta_of(const UsageDeltas& deltas, const std::string& name, UsageDirection direction) {
  uint64_t bytes = 0;
  for (const UsageSample& sample : deltas)
    if (sample.name == name && sample.direction == direction) bytes += sample.bytes;
  return bytes;
}

TEST_F(LedgerFixture, DeltasAreTheGrowthSinceThePreviousReading) {
  update({reading(100, 1, "firefox", 10000, 2000)});
  const auto second = update({reading(100, 1, "firefox", 16000, 3000)});
  EXPECT_EQ(delta_of(second.deltas, "firefox", UsageDirection::download), 6000u);
  EXPECT_EQ(delta_of(second.deltas, "firefox", UsageDirection::upload), 1000u);
  ASSERT_EQ(ledger.processes().size(), 1u);
  EXPECT_DOUBLE_EQ(ledger.processes()[0].download_bytes_per_second, 3000.0);  // 6000 bytes in 2 s
  EXPECT_EQ(ledger.processes()[0].rule, "browser");
  EXPECT_EQ(ledger.processes()[0].total.download_bytes, 16000u);
}

TEST_F(LedgerFixture, UnchangedCountersGiveNoDeltas) {
  update({reading(100, 0, "curl", 500, 0)});
  EXPECT_TRUE(update({reading(100, 0, "curl", 500, 0)}).deltas.empty());
}

TEST_F(LedgerFixture, AnExitedProcessIsFoldedIntoItsNameAndListedForRemoval) {
  update({reading(100, 1, "firefox", 10000, 0), reading(200, 1, "firefox", 5000, 0)});
  alive.erase(100);
  const auto after_exit = update({reading(100, 1, "firefox", 12000, 0), reading(200, 1, "firefox", 5000, 0)});
  ASSERT_EQ(after_exit.exited.size(), 1u);
  EXPECT_EQ(after_exit.exited[0].tgid, 100u);
  // Its last 2000 bytes still count in this second's deltas.
  EXPECT_EQ(delta_of(after_exit.deltas, "firefox", UsageDirection::download), 2000u);
  ASSERT_EQ(ledger.processes().size(), 1u);
  // The caller dropped the entry: the next reading lacks it, the total stays.
  update({reading(200, 1, "firefox", 6000, 0)});
  const auto names = ledger.names();
  ASSERT_EQ(names.size(), 1u);
  EXPECT_EQ(names[0].name, "firefox");
  EXPECT_EQ(names[0].rule, "browser");
  EXPECT_EQ(names[0].total.download_bytes, 12000u + 6000u);
}

TEST_F(LedgerFixture, AnEvictedEntryKeepsWhatItCounted) {
  update({reading(100, 0, "curl", 7000, 100)});
  update({});
  const auto names = ledger.names();
  ASSERT_EQ(names.size(), 1u);
  EXPECT_EQ(names[0].total.download_bytes, 7000u);
  EXPECT_TRUE(ledger.processes().empty());
}

TEST_F(LedgerFixture, ARecreatedEntryCountsFromZero) {
  update({reading(100, 0, "curl", 7000, 0)});
  const auto second = update({reading(100, 0, "curl", 300, 0)});
  EXPECT_EQ(delta_of(second.deltas, "curl", UsageDirection::download), 300u);
}

TEST_F(LedgerFixture, TrafficWithoutASocketIsOtherAndNeverExits) {
  const auto first = update({reading(0, 0, "", 900, 0)});
  EXPECT_TRUE(first.exited.empty());
  EXPECT_EQ(delta_of(first.deltas, kOtherTrafficName, UsageDirection::download), 900u);
  EXPECT_EQ(ledger.processes().at(0).name, kOtherTrafficName);
}

TEST_F(LedgerFixture, RulesSumNamesAndProcessesSortByRate) {
  update({reading(100, 1, "firefox", 0, 0), reading(200, 0, "curl", 0, 0)});
  update({reading(100, 1, "firefox", 1000, 0), reading(200, 0, "curl", 9000, 0)});
  EXPECT_EQ(ledger.processes().at(0).name, "curl");
  const auto rules = ledger.rules();
  EXPECT_EQ(rules.at("browser").download_bytes, 1000u);
  EXPECT_EQ(rules.at("").download_bytes, 9000u);
}

}  // namespace
}  // namespace nettoll
