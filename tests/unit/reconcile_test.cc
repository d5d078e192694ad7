// SPDX-License-Identifier: Apache-2.0
#include "core/reconcile.h"

#include <gtest/gtest.h>

#include "core/planner.h"
#include "fake_kernel.h"

namespace nettoll {
namespace {

using testing::FakeKernel;

Rate mbit(uint64_t n) { return Rate::bits_per_second(n * 1'000'000); }

Config shaping_config() {
  Config config;
  config.download.limit = mbit(50);
  config.upload.limit = mbit(100);
  ProcessRule browser;
  browser.name = "browser";
  browser.upload.limit = mbit(40);
  config.processes.push_back(browser);
  return config;
}

Plan plan_for(const Config& config, const std::string& interface = "eth0") {
  return make_plan(config, ManagedInterface{interface, 1500}, KernelCapabilities{false, 250});
}

template <typename T>
size_t count(const std::vector<KernelChange>& changes) {
  return std::count_if(changes.begin(), changes.end(),
                       [](const KernelChange& c) { return std::holds_alternative<T>(c); });
}

std::vector<KernelChange> reconcile_ok(const Plan& plan, const FakeKernel& kernel,
                                       const ManagedDevices& previous = {}) {
  auto changes = reconcile(plan, kernel.state, previous);
  EXPECT_TRUE(changes.ok()) << (changes.ok() ? "" : changes.error());
  return changes.ok() ? *changes : std::vector<KernelChange>{};
}

TEST(Reconcile, FreshInterfaceGetsWholeTreesAndRedirect) {
  FakeKernel kernel;
  kernel.add_device("eth0", "pfifo_fast");
  const Plan plan = plan_for(shaping_config());
  const auto changes = reconcile_ok(plan, kernel);
  EXPECT_EQ(count<CreateIfb>(changes), 1u);
  EXPECT_EQ(count<ReplaceRootHtb>(changes), 2u);
  EXPECT_EQ(count<AddClass>(changes), 6u);  // root, default, browser × 2 directions
  EXPECT_EQ(count<ReplaceLeaf>(changes), 4u);
  EXPECT_EQ(count<AddIngressRedirect>(changes), 1u);
  // The redirect comes last, once the IFB's tree can take the traffic.
  EXPECT_TRUE(std::holds_alternative<AddIngressRedirect>(changes.back()));
}

TEST(Reconcile, SamePlanTwiceChangesNothing) {
  FakeKernel kernel;
  kernel.add_device("eth0");
  const Plan plan = plan_for(shaping_config());
  kernel.apply(reconcile_ok(plan, kernel));
  EXPECT_TRUE(reconcile_ok(plan, kernel).empty());
}

TEST(Reconcile, RateChangeIsOneChangeClass) {
  FakeKernel kernel;
  kernel.add_device("eth0");
  Config config = shaping_config();
  kernel.apply(reconcile_ok(plan_for(config), kernel));
  config.processes[0].upload.limit = mbit(60);
  const auto changes = reconcile_ok(plan_for(config), kernel);
  // The class's ceil and the bfifo sized from it change; nothing is rebuilt.
  EXPECT_EQ(count<ChangeClass>(changes), 1u);
  EXPECT_EQ(count<ReplaceLeaf>(changes), 1u);
  EXPECT_EQ(changes.size(), 2u);
  EXPECT_EQ(count<ReplaceRootHtb>(changes), 0u);
}

TEST(Reconcile, RemovedRuleDeletesItsClasses) {
  FakeKernel kernel;
  kernel.add_device("eth0");
  Config config = shaping_config();
  kernel.apply(reconcile_ok(plan_for(config), kernel));
  config.processes.clear();
  const auto changes = reconcile_ok(plan_for(config), kernel);
  EXPECT_EQ(count<DeleteClass>(changes), 2u);
  kernel.apply(changes);
  EXPECT_TRUE(reconcile_ok(plan_for(config), kernel).empty());
}

TEST(Reconcile, ForeignRootQdiscIsNotReplaced) {
  FakeKernel kernel;
  kernel.add_device("eth0");
  kernel.state.devices["eth0"].qdiscs = {ObservedQdisc{.kind = "tbf", .handle = Handle{1, 0}, .root = true}};
  auto changes = reconcile(plan_for(shaping_config()), kernel.state, {});
  ASSERT_FALSE(changes.ok());
  EXPECT_NE(changes.error().find("eth0 has a root qdisc tbf 1:0 that nettoll did not create"),
            std::string::npos)
      << changes.error();
}

TEST(Reconcile, LeftoverOfAKilledRunIsAdopted) {
  FakeKernel kernel;
  kernel.add_device("eth0");
  const Plan plan = plan_for(shaping_config());
  kernel.apply(reconcile_ok(plan, kernel));
  // A new run that knows nothing of the previous one finds the same objects.
  EXPECT_TRUE(reconcile_ok(plan, kernel, ManagedDevices{}).empty());
}

TEST(Reconcile, TeardownRemovesEverythingAndKeepsOthersClsact) {
  FakeKernel kernel;
  kernel.add_device("eth0");
  const Plan plan = plan_for(shaping_config());
  kernel.apply(reconcile_ok(plan, kernel));
  kernel.state.devices["eth0"].other_clsact_filters = 1;
  const auto changes = teardown(kernel.state, managed_devices_of(plan));
  ASSERT_EQ(count<RemoveIngressRedirect>(changes), 1u);
  EXPECT_FALSE(std::get<RemoveIngressRedirect>(changes[0]).delete_clsact);
  EXPECT_EQ(count<DeleteIfb>(changes), 1u);
  EXPECT_EQ(count<DeleteRootQdisc>(changes), 1u);
  kernel.apply(changes);
  EXPECT_FALSE(kernel.state.devices.contains("ntb-eth0"));
  EXPECT_EQ(kernel.state.devices["eth0"].qdiscs.back().kind, "noqueue");
}

TEST(Reconcile, MovingInterfaceReleasesTheOldOne) {
  FakeKernel kernel;
  kernel.add_device("wlan0");
  kernel.add_device("eth0");
  const Plan old_plan = plan_for(shaping_config(), "wlan0");
  kernel.apply(reconcile_ok(old_plan, kernel));
  const Plan new_plan = plan_for(shaping_config(), "eth0");
  const auto changes = reconcile_ok(new_plan, kernel, managed_devices_of(old_plan));
  kernel.apply(changes);
  EXPECT_FALSE(kernel.state.devices.contains("ntb-wlan0"));
  EXPECT_TRUE(kernel.state.devices.contains("ntb-eth0"));
  EXPECT_FALSE(kernel.state.devices["wlan0"].has_ingress_redirect);
  EXPECT_TRUE(reconcile_ok(new_plan, kernel, managed_devices_of(old_plan)).empty());
}

TEST(Reconcile, DroppingDownloadLimitAndRulesRemovesIngressOnly) {
  FakeKernel kernel;
  kernel.add_device("eth0");
  Config config = shaping_config();
  kernel.apply(reconcile_ok(plan_for(config), kernel));
  config.download.limit.reset();
  config.processes.clear();
  const Plan plan = plan_for(config);
  const auto changes = reconcile_ok(plan, kernel, managed_devices_of(plan));
  EXPECT_EQ(count<RemoveIngressRedirect>(changes), 1u);
  EXPECT_EQ(count<DeleteIfb>(changes), 1u);
  EXPECT_EQ(count<ReplaceRootHtb>(changes), 0u);
}

TEST(Reconcile, TbfIsAddedOnceAndChangedInPlace) {
  FakeKernel kernel;
  kernel.add_device("wg0");
  Config config;
  InterfaceLimit wg;
  wg.name = "wg0";
  wg.rate = mbit(1);
  config.interfaces.push_back(wg);
  kernel.apply(reconcile_ok(plan_for(config), kernel));
  EXPECT_TRUE(reconcile_ok(plan_for(config), kernel).empty());
  config.interfaces[0].rate = mbit(2);
  const auto changes = reconcile_ok(plan_for(config), kernel);
  ASSERT_EQ(changes.size(), 1u);
  EXPECT_TRUE(std::holds_alternative<ReplaceRootTbf>(changes[0]));
  EXPECT_NE(describe(changes[0]).find("rate 2mbit"), std::string::npos);
}

TEST(Reconcile, TbfWaitsForItsDeviceToAppear) {
  FakeKernel kernel;
  Config config;
  InterfaceLimit wg;
  wg.name = "wg0";
  wg.rate = mbit(1);
  config.interfaces.push_back(wg);
  EXPECT_TRUE(reconcile_ok(plan_for(config), kernel).empty());
  kernel.add_device("wg0");
  EXPECT_EQ(count<ReplaceRootTbf>(reconcile_ok(plan_for(config), kernel)), 1u);
}

TEST(Reconcile, GsoIsLoweredWhileShapingAndRestoredAfter) {
  FakeKernel kernel;
  kernel.add_device("eth0");
  Config config;
  config.upload.limit = mbit(10);
  const Plan plan = plan_for(config);
  ASSERT_GT(plan.gso_max_size, 0u);
  ASSERT_LT(plan.gso_max_size, kDefaultGsoMaxSize);
  const auto changes = reconcile_ok(plan, kernel);
  ASSERT_EQ(count<SetGsoLimit>(changes), 1u);
  // Aggregates shrink before the small fifos are put in place.
  EXPECT_TRUE(std::holds_alternative<SetGsoLimit>(changes.front()));
  kernel.apply(changes);
  EXPECT_EQ(kernel.state.devices["eth0"].gso_max_size, plan.gso_max_size);
  EXPECT_TRUE(reconcile_ok(plan, kernel).empty());
  kernel.apply(teardown(kernel.state, managed_devices_of(plan)));
  EXPECT_EQ(kernel.state.devices["eth0"].gso_max_size, kDefaultGsoMaxSize);
  EXPECT_EQ(kernel.state.devices["eth0"].gro_max_size, kDefaultGsoMaxSize);
}

TEST(Reconcile, UsersOwnGsoSizeIsLeftAloneWithFqCodel) {
  FakeKernel kernel;
  kernel.add_device("eth0");
  kernel.state.devices["eth0"].gso_max_size = 16384;
  Config config;
  config.upload.limit = mbit(10);
  const Plan plan = make_plan(config, ManagedInterface{"eth0", 1500}, KernelCapabilities{true, 250});
  EXPECT_EQ(plan.gso_max_size, 0u);
  EXPECT_EQ(count<SetGsoLimit>(reconcile_ok(plan, kernel)), 0u);
}

TEST(Reconcile, DescribeNamesObjectAndDevice) {
  HtbClass c;
  c.id = Handle{kHtbMajor, 0x10};
  c.rule = "browser";
  c.rate = mbit(1);
  c.ceil = mbit(2);
  EXPECT_EQ(describe(AddClass{"eth0", c}),
            "add htb class 7a:10 on eth0 (browser: rate 1mbit ceil 2mbit prio 0)");
}

}  // namespace
}  // namespace nettoll

namespace nettoll {
namespace {

Config ingress_limit_config() {
  Config config;
  InterfaceLimit wg;
  wg.name = "wg0";
  wg.rate = mbit(1);
  wg.direction = LimitDirection::ingress;
  config.interfaces.push_back(wg);
  return config;
}

TEST(Reconcile, IngressTbfGetsAnIfbOfItsOwnAndGoesWithItsDevice) {
  FakeKernel kernel;
  kernel.add_device("wg0");
  const Plan plan = plan_for(ingress_limit_config());
  auto changes = reconcile_ok(plan, kernel);
  EXPECT_EQ(count<CreateIfb>(changes), 1u);
  EXPECT_EQ(count<ReplaceRootTbf>(changes), 1u);
  EXPECT_EQ(count<AddIngressRedirect>(changes), 1u);
  kernel.apply(changes);
  EXPECT_TRUE(kernel.state.devices["wg0"].has_ingress_redirect);
  EXPECT_EQ(kernel.state.devices["ntl-wg0"].qdiscs.front().kind, "tbf");
  EXPECT_TRUE(reconcile_ok(plan, kernel, managed_devices_of(plan)).empty());

  // The tunnel goes away (the kernel takes its clsact with it): the IFB goes too.
  kernel.state.devices.erase("wg0");
  changes = reconcile_ok(plan, kernel, managed_devices_of(plan));
  ASSERT_EQ(changes.size(), 1u);
  EXPECT_TRUE(std::holds_alternative<DeleteIfb>(changes[0]));
  kernel.apply(changes);
  // ...and comes back: everything again.
  kernel.add_device("wg0");
  EXPECT_EQ(count<AddIngressRedirect>(reconcile_ok(plan, kernel, managed_devices_of(plan))), 1u);
  kernel.apply(reconcile_ok(plan, kernel, managed_devices_of(plan)));
  kernel.apply(teardown(kernel.state, managed_devices_of(plan)));
  EXPECT_FALSE(kernel.state.devices.contains("ntl-wg0"));
  EXPECT_FALSE(kernel.state.devices["wg0"].has_ingress_redirect);
}

TEST(Reconcile, InterfaceLimitsApplyWithoutAManagedInterface) {
  FakeKernel kernel;
  kernel.add_device("wg0");
  const Plan plan =
      make_plan(ingress_limit_config(), ManagedInterface{"", 0}, KernelCapabilities{false, 250});
  EXPECT_EQ(count<ReplaceRootTbf>(reconcile_ok(plan, kernel)), 1u);
}

TEST(Reconcile, IngressLimitMovesToTheTreeWhenItsDeviceBecomesManaged) {
  FakeKernel kernel;
  kernel.add_device("wg0");
  Config config = ingress_limit_config();
  const Plan alone = make_plan(config, ManagedInterface{"", 0}, KernelCapabilities{false, 250});
  kernel.apply(reconcile_ok(alone, kernel));
  config.download.limit = mbit(10);
  const Plan managed = plan_for(config, "wg0");
  ASSERT_TRUE(managed.tbfs.empty());
  const auto changes = reconcile_ok(managed, kernel, managed_devices_of(alone));
  EXPECT_EQ(count<RemoveIngressRedirect>(changes), 1u);
  EXPECT_EQ(count<AddIngressRedirect>(changes), 1u);
  kernel.apply(changes);
  EXPECT_FALSE(kernel.state.devices.contains("ntl-wg0"));
  EXPECT_EQ(managed.ingress->classes[0].ceil, mbit(1));
}

}  // namespace
}  // namespace nettoll
