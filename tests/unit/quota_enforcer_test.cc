// SPDX-License-Identifier: Apache-2.0
// QuotaEnforcer on a real event loop with an injected clock and usage: it
// re-plans when a quota goes over, and the timer it arms at the period's end
// lifts the limits by itself.
#include "daemon/quota_enforcer.h"

#include <gtest/gtest.h>

#include "daemon/status_report.h"
#include "time_zone_fixture.h"

namespace nettoll {
namespace {

using namespace std::chrono_literals;
using testing::local_time;
using testing::ScopedTimeZone;

constexpr uint64_t kMB = 1'000'000;

Config config_with_quotas() {
  Config config;
  config.download.limit = Rate::bits_per_second(50'000'000);
  ProcessRule updater;
  updater.name = "updater";
  QuotaConfig daily;
  daily.period = {QuotaPeriodKind::day, 0};
  daily.download = 20 * kMB;
  daily.then.block = true;
  updater.quota = daily;
  config.processes.push_back(updater);
  QuotaConfig link;
  link.period = {QuotaPeriodKind::month, 1};
  link.total = 100 * kMB;
  link.then.download = Rate::bits_per_second(1'000'000);
  config.quota = link;
  return config;
}

class QuotaEnforcerTest : public ::testing::Test {
 protected:
  void SetUp() override {
    auto loop = EventLoop::create(false);
    ASSERT_TRUE(loop) << loop.error();
    loop_ = std::move(*loop);
    enforcer_ = std::make_unique<QuotaEnforcer>(
        *loop_,
        [this](const UsageFilter& filter) -> Result<UsageBucket> {
          // Bytes counted before the period's start are not its use.
          if (filter.from > used_since_) return UsageBucket{};
          return filter.rule.empty() ? link_used_ : rule_used_;
        },
        QuotaEnforcer::Hooks{[this] { return now_; }, [this] { ++replans_; }, [] { return true; }});
  }

  ScopedTimeZone zone_{"UTC0"};
  int64_t now_ = local_time(2026, 12, 2, 23, 59);
  int64_t used_since_ = local_time(2026, 12, 2, 23);  // when the bytes were counted
  UsageBucket link_used_;
  UsageBucket rule_used_;
  int replans_ = 0;
  std::unique_ptr<EventLoop> loop_;
  std::unique_ptr<QuotaEnforcer> enforcer_;
};

TEST_F(QuotaEnforcerTest, ReplansWhenAQuotaGoesOverAndNotAgainUntilItChanges) {
  const Config config = config_with_quotas();
  enforcer_->configure(config);
  EXPECT_EQ(replans_, 0) << "configure evaluates; the caller plans";
  EXPECT_FALSE(enforcer_->effective(config).processes[0].blocked);

  rule_used_ = {"", 0, 25 * kMB, 0};
  enforcer_->check();
  EXPECT_EQ(replans_, 1);
  EXPECT_TRUE(enforcer_->effective(config).processes[0].blocked);
  EXPECT_EQ(enforcer_->effective(config).download.limit, Rate::bits_per_second(50'000'000));
  enforcer_->check();
  EXPECT_EQ(replans_, 1) << "still over: nothing to re-plan";

  link_used_ = {"", 0, 90 * kMB, 20 * kMB};
  enforcer_->check();
  EXPECT_EQ(replans_, 2);
  EXPECT_EQ(enforcer_->effective(config).download.limit, Rate::bits_per_second(1'000'000));

  // /v1/status and `nettoll status` show both, blocked and over.
  const nlohmann::json status = enforcer_->status_json();
  ASSERT_EQ(status.size(), 2u);
  EXPECT_EQ(status[0]["state"], "over");
  EXPECT_EQ(status[1]["state"], "blocked");
  const std::string text = format_status({{"status", "shaping nt0"}, {"quotas", status}});
  EXPECT_NE(text.find("quotas:\n"), std::string::npos) << text;
  EXPECT_NE(text.find("updater          download 25.0 MB of 20.0 MB (125.0%), 0 B left, resets "
                      "2026-12-03 00:00  blocked"),
            std::string::npos)
      << text;
}

TEST_F(QuotaEnforcerTest, ARestartStartsOverWhenTheUseIsAlreadyThere) {
  rule_used_ = {"", 0, 25 * kMB, 0};  // from the database, written before the restart
  const Config config = config_with_quotas();
  enforcer_->configure(config);
  EXPECT_TRUE(enforcer_->effective(config).processes[0].blocked) << "the first plan is already blocked";
}

TEST_F(QuotaEnforcerTest, TheTimerAtThePeriodsEndLiftsTheBlock) {
  now_ = local_time(2026, 12, 2, 23, 59) + 59;  // a second before midnight
  rule_used_ = {"", 0, 25 * kMB, 0};
  const Config config = config_with_quotas();
  enforcer_->configure(config);
  ASSERT_TRUE(enforcer_->effective(config).processes[0].blocked);
  used_since_ = now_;  // what was used so far lies before the new day
  // Only the reset timer runs (no start()): when it fires, the clock has passed midnight.
  ASSERT_TRUE(loop_->after("clock", 500ms, [this] { now_ += 1; }));
  ASSERT_TRUE(loop_->after("guard", 5s, [this] { loop_->exit(1); }));
  int seen = 0;
  std::function<void()> poll = [&] {
    if (replans_ > seen) {
      loop_->exit(0);
      return;
    }
    ASSERT_TRUE(loop_->after("watch", 10ms, poll));
  };
  ASSERT_TRUE(loop_->after("watch", 10ms, poll));
  EXPECT_EQ(loop_->run(), 0) << "no re-plan within 5 s";
  EXPECT_EQ(replans_, 1);
  EXPECT_FALSE(enforcer_->effective(config).processes[0].blocked);
  EXPECT_EQ(enforcer_->status_json()[1]["state"], "ok");
}

}  // namespace
}  // namespace nettoll
