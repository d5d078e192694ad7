// SPDX-License-Identifier: Apache-2.0
// Quotas through the daemon (eBPF path), with renamed iperf3 copies: a rule
// that crosses its quota drops to its `then` rate; `then: block` stops the
// rule's traffic while other traffic flows, and the next period (the daemon
// runs on a clock set just before midnight with --test-clock-offset) lifts
// it; a restart keeps the bytes used; a quota on the whole link counts every
// byte on the interface and lowers the global limits.
#include <ctime>
#include <nlohmann/json.hpp>

#include "process_rules_fixture.h"

namespace nettoll::testing {
namespace {

constexpr const char* kRuleClass = "7a:10";
constexpr const char* kDefaultClass = "7a:2";
constexpr const char* kRootClass = "7a:1";

// A rule for ntbulk with `quota`; unruled programs (ntcall) go to the default class.
std::string bulk_rule_with(const std::string& quota) {
  return "download: 1gbit\nupload: 1gbit\nprocesses:\n  bulk:\n    match: [{name: ntbulk}]\n"
         "    quota: " +
         quota + "\n";
}

class QuotaTest : public ProcessRulesFixture {
 protected:
  // The daemon's /v1/status "quotas" entry of `scope`, or null.
  nlohmann::json quota(const std::string& scope) const {
    const nlohmann::json status = nlohmann::json::parse(status_json(), nullptr, false);
    if (status.is_discarded()) return nullptr;
    for (const auto& entry : status.value("quotas", nlohmann::json::array()))
      if (entry.value("scope", "") == scope) return entry;
    return nullptr;
  }

  std::string state_of(const std::string& scope) const {
    const nlohmann::json entry = quota(scope);
    return entry.is_object() ? entry.value("state", "") : "";
  }

  uint64_t used_of(const std::string& scope) const {
    const nlohmann::json entry = quota(scope);
    if (!entry.is_object() || entry["measures"].empty()) return 0;
    return entry["measures"][0].value("used", uint64_t{0});
  }

  // Waits until `scope`'s state is `state`, saying what it was instead.
  ::testing::AssertionResult reaches(const std::string& scope, const std::string& state,
                                     std::chrono::seconds timeout) {
    if (eventually([&] { return state_of(scope) == state; }, timeout)) return ::testing::AssertionSuccess();
    return ::testing::AssertionFailure() << scope << " is '" << state_of(scope) << "', not '" << state
                                         << "' after " << timeout.count() << " s\n"
                                         << status_json() << "\n"
                                         << daemon_->output();
  }

  // The daemon started on a clock `seconds_to_midnight` before the next local midnight.
  void start_daemon_before_midnight(const std::string& config, int seconds_to_midnight) {
    const std::time_t now = std::time(nullptr);
    std::tm midnight{};
    localtime_r(&now, &midnight);
    midnight.tm_mday += 1;
    midnight.tm_hour = midnight.tm_min = midnight.tm_sec = 0;
    midnight.tm_isdst = -1;
    const int64_t offset = int64_t(std::mktime(&midnight)) - seconds_to_midnight - int64_t(now);
    std::vector<std::string> command = daemon_command(config);
    command.insert(command.end(), {"--test-clock-offset", std::to_string(offset)});
    daemon_ = std::make_unique<ChildProcess>(command);
    ASSERT_TRUE(eventually([&] { return status_json().starts_with("{"); }, 10s)) << daemon_->output();
  }
};

TEST_P(QuotaTest, ACrossedQuotaDropsTheRuleToItsThenRate) {
  start_daemon(bulk_rule_with("{period: day, upload: 20MB, then: {upload: 4mbit}}"));
  start_client("ntbulk", 5201, "-b 40M", 30);
  ASSERT_TRUE(eventually([&] { return used_of("bulk") > 0; }, 5s)) << status_json();
  const double before = class_rates("vA", 1000ms)[kRuleClass];
  EXPECT_GE(before, 20.0) << "under its quota the rule is not limited";
  ASSERT_TRUE(reaches("bulk", "over", 20s));
  EXPECT_GE(used_of("bulk"), 20'000'000u);
  std::this_thread::sleep_for(500ms);  // what HTB queued at the old ceil drains
  const double after = class_rates("vA", 2000ms)[kRuleClass];
  std::printf("rule class: %.2f Mbit/s under quota, %.2f Mbit/s over (then: 4mbit)\n", before, after);
  // HTB holds a ceil on the wire: over it only by the tolerance of a busy machine.
  EXPECT_LE(after, 4.0 * 1.1);
  EXPECT_GE(after, 4.0 * 0.7) << "the flow goes on at the then rate";
}

TEST_P(QuotaTest, BlockStopsTheRuleWhileOtherTrafficFlows) {
  start_daemon(bulk_rule_with("{period: day, upload: 10MB, then: block}"));
  start_client("ntbulk", 5201, "-b 40M", 30);
  start_client("ntcall", 5202, "-b 40M", 30);
  ASSERT_TRUE(reaches("bulk", "blocked", 20s));
  std::this_thread::sleep_for(500ms);
  const auto rates = class_rates("vA", 2000ms);
  std::printf("blocked: rule class %.3f Mbit/s, default class %.2f Mbit/s\n", rates.at(kRuleClass),
              rates.at(kDefaultClass));
  // Packets of its time-wait sockets (no rule) go to the default class: nothing reaches the rule's.
  EXPECT_LT(rates.at(kRuleClass), 0.01) << "a blocked rule's packets are dropped before its class";
  EXPECT_GE(rates.at(kDefaultClass), 20.0) << "other traffic flows on";
  const std::string text = run_command(nettoll_binary() + " status --socket " + socket_path_).output;
  const size_t quotas = text.find("quotas:\n  bulk ");
  ASSERT_NE(quotas, std::string::npos) << text;
  EXPECT_NE(text.find(" upload ", quotas), std::string::npos) << text;
  EXPECT_NE(text.find("  blocked\n", quotas), std::string::npos) << text;
}

TEST_P(QuotaTest, ANewPeriodLiftsTheBlockByItself) {
  start_daemon_before_midnight(bulk_rule_with("{period: day, upload: 5MB, then: block}"), 30);
  start_client("ntbulk", 5201, "-b 40M", 60);
  ASSERT_TRUE(reaches("bulk", "blocked", 20s));
  clients_.clear();  // the blocked client cannot even end its test
  ASSERT_TRUE(reaches("bulk", "ok", 40s)) << "midnight on the daemon's clock lifts the block";
  EXPECT_TRUE(daemon_->wait_for_output("new period from", 1s)) << daemon_->output();
  EXPECT_LT(used_of("bulk"), 5'000'000u);
  // 8 Mbit/s for 3 s stays under the new day's 5 MB.
  start_client("ntbulk", 5202, "-b 8M", 3);
  ASSERT_TRUE(eventually([&] { return used_of("bulk") > 0; }, 5s)) << status_json();
  const double rate = class_rates("vA", 1500ms)[kRuleClass];
  EXPECT_GE(rate, 4.0) << "traffic flows again in the new period";
}

TEST_P(QuotaTest, ARestartKeepsTheBytesUsed) {
  const std::string config = bulk_rule_with("{period: day, upload: 30MB, then: {upload: 4mbit}}");
  start_daemon(config);
  start_in_a("./ntbulk -c 10.77.0.2 -p 5201 -n 20M -b 80M >/dev/null 2>&1");
  stop_clients();
  ASSERT_TRUE(eventually([&] { return used_of("bulk") >= 20'000'000u; }, 5s)) << status_json();
  daemon_->signal(SIGTERM);
  ASSERT_EQ(daemon_->wait_for_exit(10s), 0) << daemon_->output();
  start_daemon(config);
  const uint64_t after_restart = used_of("bulk");
  EXPECT_GE(after_restart, 20'000'000u) << "the quota was reset by the restart";
  EXPECT_EQ(state_of("bulk"), "ok");
  start_in_a("./ntbulk -c 10.77.0.2 -p 5202 -n 15M -b 80M >/dev/null 2>&1");
  EXPECT_TRUE(reaches("bulk", "over", 20s)) << "20 MB before the restart + 15 MB after cross 30 MB";
  stop_clients();
}

TEST_P(QuotaTest, ALinkQuotaCountsEveryByteAndLowersTheGlobalLimit) {
  // No limits, no rules: only the counting runs until the quota is used up.
  start_daemon("quota: {period: day, total: 10MB, then: {upload: 4mbit, download: 4mbit}}\n");
  EXPECT_EQ(testbed_->run_in_a("tc qdisc show dev vA").output.find("htb"), std::string::npos)
      << "nothing is shaped under the quota";
  EXPECT_NE(testbed_->run_in_a("tc filter show dev vA egress").output.find("bpf"), std::string::npos)
      << "the counting programs are attached";
  start_client("ntcall", 5201, "-b 40M", 30);  // no rule: counted as its process, on the link
  ASSERT_TRUE(reaches("link", "over", 20s));
  std::this_thread::sleep_for(500ms);
  const double rate = class_rates("vA", 2000ms)[kRootClass];
  std::printf("link over quota: %.2f Mbit/s (then: 4mbit)\n", rate);
  EXPECT_LE(rate, 4.0 * 1.1);
  EXPECT_GE(rate, 4.0 * 0.7);
}

INSTANTIATE_TEST_SUITE_P(Paths, QuotaTest, ::testing::Values("bpf"), classifier_path_name);

}  // namespace
}  // namespace nettoll::testing
