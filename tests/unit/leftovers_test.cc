// SPDX-License-Identifier: Apache-2.0
// find_leftovers: nettoll's own objects found by their marks on any device,
// and given to the reconciler, which adopts or removes them whatever the
// plan; the recovery record's text round trip.
#include "core/leftovers.h"

#include <gtest/gtest.h>

#include "core/planner.h"
#include "core/recovery_record.h"
#include "fake_kernel.h"

namespace nettoll {
namespace {

ObservedDevice device_with_root(const std::string& kind, uint16_t major) {
  ObservedDevice device;
  device.exists = true;
  ObservedQdisc root;
  root.kind = kind;
  root.handle = Handle{major, 0};
  root.root = true;
  device.qdiscs.push_back(root);
  return device;
}

ObservedDevice plain_device() { return device_with_root("noqueue", 0); }

TEST(LeftoversTest, FindsHtbRedirectIfbAndTbfByTheirMarks) {
  ObservedKernel observed;
  observed.devices["lo"] = plain_device();
  observed.devices["eth0"] = device_with_root("htb", kHtbMajor);
  observed.devices["ntb-eth0"] = device_with_root("htb", kHtbMajor);
  observed.devices["wlan0"] = plain_device();
  observed.devices["wlan0"].has_clsact = true;
  observed.devices["wlan0"].has_ingress_redirect = true;
  observed.devices["wg0"] = device_with_root("tbf", kTbfMajor);
  observed.devices["user0"] = device_with_root("htb", 1);  // the user's own HTB
  observed.devices["user1"] = device_with_root("tbf", 0x10);
  const ManagedDevices found = find_leftovers(observed);
  EXPECT_EQ(found.shaped_interfaces, (std::vector<std::string>{"eth0", "wlan0"}));
  EXPECT_EQ(found.tbf_devices, std::vector<std::string>{"wg0"});
}

TEST(LeftoversTest, IfbOfAVanishedInterfaceIsFoundUnderItsCutName) {
  ObservedKernel observed;
  const std::string long_name = "enx00e04c680001";  // 15 characters: the IFB name is cut
  observed.devices[long_name] = plain_device();
  observed.devices[ifb_name_for(long_name)] = device_with_root("htb", kHtbMajor);
  observed.devices["ntb-gone0"] = device_with_root("htb", kHtbMajor);
  const ManagedDevices found = find_leftovers(observed);
  EXPECT_EQ(found.shaped_interfaces, (std::vector<std::string>{long_name, "gone0"}));
  EXPECT_EQ(ifb_name_for("gone0"), "ntb-gone0");
}

TEST(LeftoversTest, NothingOfNettollsFindsNothing) {
  ObservedKernel observed;
  observed.devices["lo"] = plain_device();
  observed.devices["eth0"] = device_with_root("fq_codel", 0);
  const ManagedDevices found = find_leftovers(observed);
  EXPECT_TRUE(found.shaped_interfaces.empty());
  EXPECT_TRUE(found.tbf_devices.empty());
}

TEST(LeftoversTest, PlanForAnotherInterfaceRemovesThemAll) {
  testing::FakeKernel kernel;
  kernel.add_device("vA");
  kernel.add_device("vB");
  kernel.add_device("ntb-vA");
  ObservedDevice& shaped = kernel.state.devices["vA"];
  shaped.qdiscs = device_with_root("htb", kHtbMajor).qdiscs;
  shaped.has_clsact = true;
  shaped.has_ingress_redirect = true;
  shaped.gso_max_size = shaped.gro_max_size = 3000;
  kernel.state.devices["ntb-vA"].qdiscs = device_with_root("htb", kHtbMajor).qdiscs;
  Plan nothing;
  nothing.interface = "vB";
  auto changes = reconcile(nothing, kernel.state, find_leftovers(kernel.state));
  ASSERT_TRUE(changes) << changes.error();
  kernel.apply(*changes);
  const ManagedDevices left = find_leftovers(kernel.state);
  EXPECT_TRUE(left.shaped_interfaces.empty()) << ::testing::PrintToString(left.shaped_interfaces);
  EXPECT_FALSE(kernel.state.device("ntb-vA").exists);
  EXPECT_FALSE(kernel.state.device("vA").has_ingress_redirect);
  EXPECT_EQ(kernel.state.device("vA").gso_max_size, kDefaultGsoMaxSize);
  EXPECT_EQ(kernel.state.device("vB").qdiscs.size(), 1u);
}

TEST(LeftoversTest, PlanWithoutLimitsForTheSameInterfaceRemovesItsRootOnce) {
  testing::FakeKernel kernel;
  kernel.add_device("vA");
  kernel.state.devices["vA"].qdiscs = device_with_root("htb", kHtbMajor).qdiscs;
  Plan nothing;
  nothing.interface = "vA";
  auto changes = reconcile(nothing, kernel.state, find_leftovers(kernel.state));
  ASSERT_TRUE(changes) << changes.error();
  size_t root_deletions = 0;
  for (const KernelChange& change : *changes)
    root_deletions += std::holds_alternative<DeleteRootQdisc>(change);
  EXPECT_EQ(root_deletions, 1u) << "a second delete finds the kernel's default root and fails";
}

TEST(RecoveryRecordTest, RoundTripsAndRejectsOtherText) {
  RecoveryRecord record;
  record.devices["vA"] = OriginalDevice{7, "noqueue", false, 65536, 65536};
  record.devices["eth0"] = OriginalDevice{2, "pfifo_fast", true, 185000, 0};
  auto parsed = parse_recovery_record(format_recovery_record(record), "x.json");
  ASSERT_TRUE(parsed) << parsed.error();
  EXPECT_EQ(*parsed, record);
  auto bad = parse_recovery_record("{\"devices\": {\"vA\": {\"ifindex\": \"seven\"}}}", "/run/x.json");
  ASSERT_FALSE(bad);
  EXPECT_NE(bad.error().find("/run/x.json: not a nettoll recovery record"), std::string::npos) << bad.error();
}

}  // namespace
}  // namespace nettoll
