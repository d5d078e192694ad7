// SPDX-License-Identifier: Apache-2.0
#include "core/foreign_shaper.h"

#include <gtest/gtest.h>

#include "core/plan.h"

namespace nettoll {
namespace {

ObservedQdisc qdisc(std::string kind, Handle handle, bool root) {
  return ObservedQdisc{.kind = std::move(kind), .handle = handle, .root = root};
}

// What `tt wlan0 tt-config.yaml` leaves after a crash: an HTB at the root, an
// ingress qdisc redirecting to ifb0, and an HTB on ifb0.
ObservedKernel traffictoll_leftovers() {
  ObservedKernel kernel;
  kernel.devices["wlan0"].exists = true;
  kernel.devices["wlan0"].qdiscs = {qdisc("htb", Handle{1, 0}, true),
                                    qdisc("ingress", Handle{0xffff, 0}, false)};
  kernel.ifb_devices = {"ifb0", "ntb-eth1"};
  return kernel;
}

TEST(ForeignShaper, TrafficTollsLeftoversAreNamedWithHowToRemoveThem) {
  const auto problem = foreign_shaper_problem("wlan0", traffictoll_leftovers(), true);
  ASSERT_TRUE(problem);
  EXPECT_EQ(
      *problem,
      "wlan0 has a root qdisc htb 1:0, an ingress qdisc, IFB device ifb0 that nettoll did not create (what "
      "TrafficToll and tt-bandwidth-manager leave behind): another program shapes it, and nettoll will not "
      "replace that. Stop that program (systemctl disable --now tt-bandwidth-manager), then remove them (tc "
      "qdisc del dev wlan0 root; tc qdisc del dev wlan0 ingress; ip link del ifb0) and restart nettoll");
  // Refused even when only download would be shaped: its ingress qdisc is in the way.
  EXPECT_TRUE(foreign_shaper_problem("wlan0", traffictoll_leftovers(), false));
}

TEST(ForeignShaper, SomeoneElsesRootIsRefusedOnlyWhereNettollWouldReplaceIt) {
  ObservedKernel kernel;
  kernel.devices["eth0"].qdiscs = {qdisc("cake", Handle{0x8001, 0}, true)};
  const auto problem = foreign_shaper_problem("eth0", kernel, true);
  ASSERT_TRUE(problem);
  EXPECT_NE(problem->find("eth0 has a root qdisc cake 8001:0 that nettoll did not create: another program"),
            std::string::npos)
      << *problem;
  EXPECT_NE(problem->find("remove it (tc qdisc del dev eth0 root)"), std::string::npos) << *problem;
  EXPECT_EQ(problem->find("TrafficToll"), std::string::npos) << *problem;
  EXPECT_FALSE(foreign_shaper_problem("eth0", kernel, false));  // download only: the root stays
}

TEST(ForeignShaper, KernelDefaultsAndNettollsOwnAreFine) {
  ObservedKernel kernel;
  kernel.devices["eth0"].qdiscs = {qdisc("fq_codel", Handle{0, 0}, true)};
  EXPECT_FALSE(foreign_shaper_problem("eth0", kernel, true));
  kernel.devices["eth0"].qdiscs = {qdisc("htb", Handle{kHtbMajor, 0}, true)};
  kernel.ifb_devices = {"ntb-eth0"};
  EXPECT_FALSE(foreign_shaper_problem("eth0", kernel, true));
  EXPECT_FALSE(foreign_shaper_problem("absent0", kernel, true));
}

}  // namespace
}  // namespace nettoll
