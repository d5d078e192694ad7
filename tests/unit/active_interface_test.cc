// SPDX-License-Identifier: Apache-2.0
#include "core/active_interface.h"

#include <gtest/gtest.h>

namespace nettoll {
namespace {

TEST(ChooseInterface, AutoFollowsTheIpv4Route) {
  const InterfaceChoice choice = choose_interface({"auto", "wg0", "eth0", {"lo", "eth0", "wg0"}});
  EXPECT_EQ(choice.interface, "wg0");
  EXPECT_EQ(choice.reason, "the route to 1.1.1.1 goes through wg0");
}

TEST(ChooseInterface, AutoFallsBackToIpv6) {
  const InterfaceChoice choice = choose_interface({"auto", std::nullopt, "eth0", {"eth0"}});
  EXPECT_EQ(choice.interface, "eth0");
  EXPECT_NE(choice.reason.find("2606:4700:4700::1111"), std::string::npos);
}

TEST(ChooseInterface, NeverLoopbackOrOwnIfb) {
  EXPECT_EQ(choose_interface({"auto", "lo", std::nullopt, {"lo"}}).interface, "");
  EXPECT_EQ(choose_interface({"auto", "ntb-eth0", "eth0", {"eth0"}}).interface, "eth0");
}

TEST(ChooseInterface, NoRouteMeansNothingToManage) {
  const InterfaceChoice choice = choose_interface({"auto", std::nullopt, std::nullopt, {"eth0"}});
  EXPECT_EQ(choice.interface, "");
  EXPECT_EQ(choice.reason, "no route to the internet");
}

TEST(ChooseInterface, FixedNameIsAwaited) {
  EXPECT_EQ(choose_interface({"wg0", "eth0", std::nullopt, {"eth0"}}),
            (InterfaceChoice{"", "waiting for wg0 to appear"}));
  EXPECT_EQ(choose_interface({"wg0", "eth0", std::nullopt, {"eth0", "wg0"}}),
            (InterfaceChoice{"wg0", "configured"}));
}

}  // namespace
}  // namespace nettoll
