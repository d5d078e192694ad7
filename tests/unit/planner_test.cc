// SPDX-License-Identifier: Apache-2.0
#include "core/planner.h"

#include <gtest/gtest.h>

#include "core/plan_format.h"

namespace nettoll {
namespace {

Rate mbit(uint64_t n) { return Rate::bits_per_second(n * 1'000'000); }
Rate kbit(uint64_t n) { return Rate::bits_per_second(n * 1'000); }

ProcessRule rule(const std::string& name) {
  ProcessRule r;
  r.name = name;
  return r;
}

const HtbClass& find_class(const HtbTree& tree, const std::string& rule_name) {
  for (const HtbClass& c : tree.classes) {
    if (c.rule == rule_name) return c;
  }
  throw std::runtime_error("no class for " + rule_name);
}

const ManagedInterface kEth0{"eth0", 1500};
const KernelCapabilities kNoFqCodel{false, 250};

TEST(Planner, EmptyConfigChangesNothing) {
  Config config;
  const Plan plan = make_plan(config, kEth0, kNoFqCodel);
  EXPECT_FALSE(plan.egress);
  EXPECT_FALSE(plan.ingress);
  EXPECT_TRUE(plan.tbfs.empty());
  EXPECT_TRUE(plan.classifier.empty());
  ASSERT_FALSE(plan.notes.empty());
  EXPECT_NE(plan.notes.back().find("nothing is changed"), std::string::npos);
}

TEST(Planner, EmptyConfigCountsNothing) { EXPECT_FALSE(make_plan(Config{}, kEth0, kNoFqCodel).accounting); }

TEST(Planner, AnyLimitCountsOnTheManagedInterface) {
  Config upload;
  upload.upload.limit = mbit(10);
  EXPECT_TRUE(make_plan(upload, kEth0, kNoFqCodel).accounting);
  Config interface_limit;
  InterfaceLimit eth0;
  eth0.name = "eth0";
  eth0.rate = mbit(5);
  interface_limit.interfaces.push_back(eth0);
  EXPECT_TRUE(make_plan(interface_limit, kEth0, kNoFqCodel).accounting);
  Config rules;
  rules.processes.push_back(rule("bulk"));
  EXPECT_TRUE(make_plan(rules, kEth0, kNoFqCodel).accounting);
  // Nothing managed: nowhere to count.
  EXPECT_FALSE(make_plan(upload, ManagedInterface{"", 0}, kNoFqCodel).accounting);
}

TEST(Planner, AccountingAloneCountsWithoutQdiscs) {
  Config config;
  config.accounting = true;
  const Plan plan = make_plan(config, kEth0, kNoFqCodel);
  EXPECT_TRUE(plan.accounting);
  EXPECT_FALSE(plan.egress);
  EXPECT_FALSE(plan.ingress);
  EXPECT_TRUE(plan.ifb.empty());
  EXPECT_TRUE(plan.tbfs.empty());
  EXPECT_EQ(plan.gso_max_size, 0u);
  ASSERT_FALSE(plan.notes.empty());
  EXPECT_NE(plan.notes.back().find("accounting only"), std::string::npos) << plan.notes.back();
}

TEST(Planner, GlobalUploadLimitBuildsOnlyEgress) {
  Config config;
  config.upload.limit = mbit(10);
  const Plan plan = make_plan(config, kEth0, kNoFqCodel);
  ASSERT_TRUE(plan.egress);
  EXPECT_FALSE(plan.ingress);
  EXPECT_EQ(plan.egress->device, "eth0");
  ASSERT_EQ(plan.egress->classes.size(), 2u);
  const HtbClass& root = plan.egress->classes[0];
  EXPECT_EQ(format_handle(root.id), "7a:1");
  EXPECT_EQ(format_handle(root.parent), "7a:0");
  EXPECT_EQ(root.rate, mbit(10));
  EXPECT_EQ(root.ceil, mbit(10));
  EXPECT_FALSE(root.leaf);
  const HtbClass& fallback = plan.egress->classes[1];
  EXPECT_EQ(format_handle(fallback.id), "7a:2");
  EXPECT_EQ(fallback.rate, kDefaultGlobalUploadMinimum);
  EXPECT_EQ(fallback.ceil, mbit(10));
  ASSERT_TRUE(fallback.leaf);
}

TEST(Planner, DownloadGoesThroughNamedIfb) {
  Config config;
  config.download.limit = mbit(50);
  const Plan plan = make_plan(config, ManagedInterface{"wlp2s0", 1500}, kNoFqCodel);
  ASSERT_TRUE(plan.ingress);
  EXPECT_EQ(plan.ifb, "ntb-wlp2s0");
  EXPECT_EQ(plan.ingress->device, "ntb-wlp2s0");
  EXPECT_EQ(find_class(*plan.ingress, "default").rate, kDefaultGlobalDownloadMinimum);
}

TEST(Planner, IfbNameFitsIfnamsiz) {
  EXPECT_EQ(ifb_name_for("enx0123456789ab"), "ntb-enx01234567");
  EXPECT_EQ(ifb_name_for("enx0123456789ab").size(), 15u);
}

TEST(Planner, ProcessRulesGetClassesInBothDirections) {
  Config config;
  config.download.limit = mbit(50);
  config.upload.limit = mbit(10);
  ProcessRule browser = rule("browser");
  browser.upload.limit = mbit(2);
  config.processes.push_back(browser);
  config.processes.push_back(rule("game"));
  const Plan plan = make_plan(config, kEth0, kNoFqCodel);
  ASSERT_TRUE(plan.egress && plan.ingress);
  const HtbClass& up = find_class(*plan.egress, "browser");
  EXPECT_EQ(format_handle(up.id), "7a:10");
  EXPECT_EQ(up.ceil, mbit(2));
  EXPECT_EQ(up.rate, kDefaultProcessUploadMinimum);
  EXPECT_EQ(find_class(*plan.ingress, "browser").ceil, mbit(50));  // no download limit: borrow up to global
  EXPECT_EQ(format_handle(find_class(*plan.egress, "game").id), "7a:11");
  ASSERT_EQ(plan.classifier.size(), 2u);
  EXPECT_EQ(plan.classifier[1].rule_id, 2u);
  EXPECT_EQ(plan.classifier[1].rule, "game");
  EXPECT_EQ(format_handle(plan.classifier[1].egress_class), "7a:11");
}

// QuotaTracker::effective marks a used-up `then: block` rule; the plan
// carries the mark to the classifier, and says so.
TEST(Planner, ABlockedRuleIsMarkedForTheClassifier) {
  Config config;
  config.processes.push_back(rule("updater"));
  config.processes.push_back(rule("game"));
  config.processes[0].blocked = true;
  const Plan plan = make_plan(config, kEth0, kNoFqCodel);
  ASSERT_EQ(plan.classifier.size(), 2u);
  EXPECT_TRUE(plan.classifier[0].blocked);
  EXPECT_FALSE(plan.classifier[1].blocked);
  EXPECT_NE(format_plan(plan).find("blocked: its packets are dropped"), std::string::npos);
  EXPECT_EQ(plan_to_json(plan)["classifier"][0]["blocked"], true);
  EXPECT_FALSE(plan_to_json(plan)["classifier"][1].contains("blocked"));
}

// A link quota without limits or rules shapes nothing but needs the
// classifier's counting on the interface.
TEST(Planner, ALinkQuotaAloneAsksForCountingOnly) {
  Config config;
  config.quota = QuotaConfig{};
  const Plan plan = make_plan(config, kEth0, kNoFqCodel);
  EXPECT_TRUE(plan.accounting);
  EXPECT_FALSE(plan.egress || plan.ingress);
  EXPECT_TRUE(plan.classifier.empty());
  ASSERT_EQ(plan.notes.size(), 1u);
  EXPECT_NE(plan.notes[0].find("the link quota counts traffic"), std::string::npos);
  EXPECT_FALSE(make_plan(config, ManagedInterface{"", 0}, kNoFqCodel).accounting);
  EXPECT_FALSE(make_plan(Config{}, kEth0, kNoFqCodel).accounting);
}

TEST(Planner, RulesWithoutGlobalLimitBorrowUpToUnlimited) {
  Config config;
  ProcessRule updater = rule("updater");
  updater.download.limit = mbit(1);
  config.processes.push_back(updater);
  const Plan plan = make_plan(config, kEth0, kNoFqCodel);
  ASSERT_TRUE(plan.egress && plan.ingress);
  EXPECT_EQ(plan.ingress->classes[0].ceil, kUnlimitedRate);
  EXPECT_EQ(find_class(*plan.ingress, "updater").ceil, mbit(1));
  EXPECT_EQ(find_class(*plan.egress, "updater").ceil, kUnlimitedRate);
}

TEST(Planner, ProcessLimitAboveGlobalIsClampedToGlobal) {
  Config config;
  config.upload.limit = mbit(10);
  ProcessRule greedy = rule("greedy");
  greedy.upload.limit = mbit(20);
  config.processes.push_back(greedy);
  const Plan plan = make_plan(config, kEth0, kNoFqCodel);
  EXPECT_EQ(find_class(*plan.egress, "greedy").ceil, mbit(10));
}

TEST(Planner, UnsetPrioritiesGoBelowTheLowestSet) {
  Config config;
  config.upload.limit = mbit(10);
  ProcessRule game = rule("game");
  game.upload.priority = 0;
  game.download.priority = 0;
  ProcessRule chat = rule("chat");
  chat.upload.priority = 2;
  config.processes = {game, chat, rule("other")};
  const Plan plan = make_plan(config, kEth0, kNoFqCodel);
  EXPECT_EQ(find_class(*plan.egress, "game").prio, 0);
  EXPECT_EQ(find_class(*plan.egress, "chat").prio, 2);
  EXPECT_EQ(find_class(*plan.egress, "other").prio, 3);
  EXPECT_EQ(find_class(*plan.egress, "default").prio, 3);
  // TrafficToll takes the lowest over both directions.
  EXPECT_EQ(find_class(*plan.ingress, "chat").prio, 3);
  EXPECT_EQ(find_class(*plan.ingress, "game").prio, 0);
}

TEST(Planner, NoPrioritiesMeansAllEqual) {
  Config config;
  config.upload.limit = mbit(10);
  config.processes = {rule("a"), rule("b")};
  const Plan plan = make_plan(config, kEth0, kNoFqCodel);
  for (const HtbClass& c : plan.egress->classes) EXPECT_EQ(c.prio, 0) << c.rule;
}

TEST(Planner, GlobalPriorityIsTheDefaultForUnset) {
  Config config;
  config.upload.limit = mbit(10);
  config.upload.priority = 4;
  ProcessRule voice = rule("voice");
  voice.upload.priority = 0;
  config.processes = {voice, rule("other")};
  const Plan plan = make_plan(config, kEth0, kNoFqCodel);
  EXPECT_EQ(find_class(*plan.egress, "default").prio, 4);
  EXPECT_EQ(find_class(*plan.egress, "other").prio, 4);
  EXPECT_EQ(find_class(*plan.egress, "voice").prio, 0);
}

TEST(Planner, PriorityNeverExceedsSeven) {
  Config config;
  config.upload.limit = mbit(10);
  ProcessRule bulk = rule("bulk");
  bulk.upload.priority = 7;
  config.processes = {bulk, rule("other")};
  const Plan plan = make_plan(config, kEth0, kNoFqCodel);
  EXPECT_EQ(find_class(*plan.egress, "other").prio, 7);
}

TEST(Planner, MinimumsAboveTheLimitAreScaledAndNoted) {
  Config config;
  config.upload.limit = mbit(10);
  config.upload.minimum = mbit(4);
  ProcessRule a = rule("a");
  a.upload.minimum = mbit(8);
  ProcessRule b = rule("b");
  b.upload.minimum = mbit(8);
  config.processes = {a, b};
  const Plan plan = make_plan(config, kEth0, kNoFqCodel);
  Rate sum;
  for (size_t i = 1; i < plan.egress->classes.size(); ++i) sum = sum + plan.egress->classes[i].rate;
  EXPECT_LE(sum, mbit(10));
  EXPECT_GE(sum, mbit(10) - kbit(1));
  EXPECT_EQ(find_class(*plan.egress, "a").rate, mbit(4));  // 8 of 20 scaled by 0.5
  EXPECT_EQ(find_class(*plan.egress, "default").rate, mbit(2));
  bool noted = false;
  for (const std::string& note : plan.notes)
    noted |= note.find("upload minimums add up to 20mbit") != std::string::npos;
  EXPECT_TRUE(noted);
}

TEST(Planner, MinimumAboveOwnLimitIsCapped) {
  Config config;
  config.download.limit = mbit(100);
  ProcessRule capped = rule("capped");
  capped.download.limit = mbit(1);
  capped.download.minimum = mbit(5);
  config.processes = {capped};
  const Plan plan = make_plan(config, kEth0, kNoFqCodel);
  const HtbClass& c = find_class(*plan.ingress, "capped");
  EXPECT_EQ(c.rate, mbit(1));
  EXPECT_EQ(c.ceil, mbit(1));
}

TEST(Planner, BfifoHoldsAtMostLatencyAtCeil) {
  Config config;
  config.upload.limit = mbit(100);
  config.latency = std::chrono::milliseconds(20);
  const Plan plan = make_plan(config, kEth0, kNoFqCodel);
  const LeafQueue& leaf = *find_class(*plan.egress, "default").leaf;
  EXPECT_EQ(leaf.kind, LeafQueueKind::bfifo);
  EXPECT_EQ(leaf.limit_bytes, 250'000u);  // 100 mbit/s = 12.5 MB/s × 20 ms
  EXPECT_EQ(format_handle(leaf.handle), "8002:0");
}

TEST(Planner, GsoIsCappedSoTwoAggregatesFitTheSmallestFifo) {
  Config config;
  config.upload.limit = mbit(1000);  // a millisecond at 1 gbit/s is 125000 bytes
  ProcessRule slow = rule("slow");
  slow.upload.limit = mbit(20);  // 20 ms at 20 mbit/s = 50000 bytes
  config.processes = {slow};
  config.download.limit = mbit(1000);
  const Plan plan = make_plan(config, kEth0, kNoFqCodel);
  EXPECT_EQ(plan.gso_max_size, 25'000u);
  EXPECT_EQ(find_class(*plan.egress, "slow").leaf->limit_bytes, 50'000u);
  bool noted = false;
  for (const std::string& note : plan.notes)
    noted |= note.find("lowered from 65536 to 25000") != std::string::npos;
  EXPECT_TRUE(noted);
}

TEST(Planner, GsoIsCappedToAMillisecondAtTheShapedRate) {
  Config config;
  config.upload.limit = mbit(100);  // fifo 250000 bytes; a millisecond is 12500
  EXPECT_EQ(make_plan(config, kEth0, kNoFqCodel).gso_max_size, 12'500u);
  config.upload.limit = mbit(20);  // a millisecond is 2500 bytes: two frames at least
  EXPECT_EQ(make_plan(config, kEth0, kNoFqCodel).gso_max_size, 2u * 1514u);
}

TEST(Planner, SlowFifosKeepRoomForSixteenFrames) {
  Config config;
  config.upload.limit = kbit(500);  // 20 ms = 1250 bytes: less than a frame
  const Plan plan = make_plan(config, kEth0, kNoFqCodel);
  EXPECT_EQ(find_class(*plan.egress, "default").leaf->limit_bytes, 16u * 1514u);
  EXPECT_EQ(plan.gso_max_size, 2u * 1514u);
}

TEST(Planner, GsoIsOnlyEverLowered) {
  Config config;
  config.upload.limit = kbit(500);
  // Already below the cap: left as it is.
  EXPECT_EQ(make_plan(config, ManagedInterface{"eth0", 1500, 2000}, kNoFqCodel).gso_max_size, 0u);
}

TEST(Planner, FastLinksKeepTheirGsoSize) {
  Config config;
  config.upload.limit = mbit(1000);
  config.processes = {rule("a")};
  const Plan plan = make_plan(config, kEth0, kNoFqCodel);
  EXPECT_EQ(plan.gso_max_size, 0u);
  EXPECT_EQ(find_class(*plan.egress, "a").leaf->limit_bytes, 2'500'000u);
}

TEST(Planner, FqCodelWhereTheKernelHasIt) {
  Config config;
  config.upload.limit = mbit(20);
  const Plan plan = make_plan(config, kEth0, KernelCapabilities{true, 250});
  const LeafQueue& leaf = *find_class(*plan.egress, "default").leaf;
  EXPECT_EQ(leaf.kind, LeafQueueKind::fq_codel);
  EXPECT_EQ(leaf.target, std::chrono::milliseconds(5));
}

TEST(Planner, BurstIsOneTickPlusAFrame) {
  Config config;
  config.upload.limit = mbit(100);
  const Plan plan = make_plan(config, kEth0, KernelCapabilities{false, 250});
  const HtbClass& root = plan.egress->classes[0];
  EXPECT_EQ(root.burst, 12'500'000u / 250u + 1514u);
  EXPECT_EQ(root.cburst, root.burst);
}

TEST(Planner, QuantumStaysBetweenAFrameAndHtbMaximum) {
  Config config;
  config.upload.limit = Rate::bits_per_second(10'000'000'000ULL);
  const Plan plan = make_plan(config, kEth0, kNoFqCodel);
  EXPECT_EQ(plan.egress->classes[0].quantum, 200'000u);
  EXPECT_EQ(find_class(*plan.egress, "default").quantum, 1514u);  // 80 kbit minimum
}

TEST(Planner, InterfaceLimitsBecomeTbfs) {
  Config config;
  InterfaceLimit wg;
  wg.name = "wg0";
  wg.rate = mbit(1);
  wg.latency = std::chrono::milliseconds(50);
  wg.mtu = 1420;
  config.interfaces.push_back(wg);
  const Plan plan = make_plan(config, kEth0, kNoFqCodel);
  ASSERT_EQ(plan.tbfs.size(), 1u);
  EXPECT_EQ(plan.tbfs[0].device, "wg0");
  EXPECT_EQ(plan.tbfs[0].burst_bytes, 1434u);  // one frame: more than 1 Mbit/s needs a tick at HZ 250
  EXPECT_FALSE(plan.egress);
}

TEST(Planner, InterfaceLimitsUseTheDevicesFrame) {
  Config config;
  InterfaceLimit wg;
  wg.name = "wg0";
  wg.rate = mbit(1);
  wg.direction = LimitDirection::both;
  config.interfaces.push_back(wg);
  const Plan plan = make_plan(config, kEth0, kNoFqCodel, ListedDevices{{"wg0", ListedDevice{1420, 0}}});
  ASSERT_EQ(plan.tbfs.size(), 2u);
  EXPECT_EQ(plan.tbfs[0].direction, TbfDirection::egress);
  EXPECT_EQ(plan.tbfs[0].frame_bytes, 1420u);
  EXPECT_EQ(plan.tbfs[0].qdisc_device(), "wg0");
  EXPECT_EQ(plan.tbfs[1].direction, TbfDirection::ingress);
  EXPECT_EQ(plan.tbfs[1].qdisc_device(), "ntl-wg0");
  EXPECT_TRUE(plan.notes.empty()) << plan.notes.front();
}

TEST(Planner, InterfaceLimitsDoNotNeedAManagedInterface) {
  Config config;
  config.upload.limit = mbit(10);
  InterfaceLimit wg;
  wg.name = "wg0";
  wg.rate = mbit(1);
  config.interfaces.push_back(wg);
  const Plan plan =
      make_plan(config, ManagedInterface{"", 0}, kNoFqCodel, ListedDevices{{"wg0", ListedDevice{}}});
  EXPECT_FALSE(plan.egress);
  ASSERT_EQ(plan.tbfs.size(), 1u);
  EXPECT_EQ(plan.tbfs[0].device, "wg0");
}

TEST(Planner, ManagedInterfaceLimitIsTheParentOfItsTree) {
  Config config;
  config.upload.limit = mbit(10);
  InterfaceLimit own;
  own.name = "eth0";
  own.rate = mbit(4);
  own.direction = LimitDirection::both;
  config.interfaces.push_back(own);
  const Plan plan = make_plan(config, kEth0, kNoFqCodel);
  ASSERT_TRUE(plan.egress);
  EXPECT_EQ(plan.egress->classes[0].ceil, mbit(4));
  EXPECT_EQ(find_class(*plan.egress, "default").ceil, mbit(4));
  // No download tree: the ingress limit is a tbf on an IFB of its own.
  ASSERT_EQ(plan.tbfs.size(), 1u);
  EXPECT_EQ(plan.tbfs[0].direction, TbfDirection::ingress);
  bool said = false;
  for (const std::string& note : plan.notes) said |= note.find("parent class 7a:1") != std::string::npos;
  EXPECT_TRUE(said);
}

TEST(Planner, SamePlanTwiceIsEqual) {
  Config config;
  config.upload.limit = mbit(10);
  config.processes = {rule("a")};
  EXPECT_EQ(make_plan(config, kEth0, kNoFqCodel), make_plan(config, kEth0, kNoFqCodel));
}

TEST(PlanFormat, PrintsHandlesAndHumanRates) {
  Config config;
  config.upload.limit = mbit(10);
  config.processes = {rule("browser")};
  const std::string text = format_plan(make_plan(config, kEth0, kNoFqCodel));
  EXPECT_NE(text.find("egress (upload) on eth0: htb 7a:0 default 7a:2"), std::string::npos) << text;
  EXPECT_NE(text.find("7a:10"), std::string::npos);
  EXPECT_NE(text.find("rate 10mbit"), std::string::npos);
  EXPECT_NE(text.find("bfifo 8010:0"), std::string::npos);
  const nlohmann::json json = plan_to_json(make_plan(config, kEth0, kNoFqCodel));
  EXPECT_EQ(json["egress"]["classes"][0]["rate_bps"], 10'000'000u);
  EXPECT_EQ(json["egress"]["classes"][2]["rule"], "browser");
}

}  // namespace
}  // namespace nettoll
