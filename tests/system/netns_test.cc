// SPDX-License-Identifier: Apache-2.0
// Entering namespaces and reading the kernel's config.
#include "kernel/netns.h"

#include <gtest/gtest.h>

#include "kernel/kernel_config.h"
#include "kernel/links.h"
#include "testbed.h"

namespace nettoll::testing {
namespace {

TEST(NetnsTest, SocketsOpenedInsideSeeOnlyThatNamespace) {
  if (!running_as_root()) GTEST_SKIP() << "needs root";
  Testbed testbed;
  ASSERT_EQ(testbed.setup_error(), "");
  std::optional<NetlinkSocket> in_b;
  {
    ScopedNetworkNamespace inside(testbed.namespace_b());
    ASSERT_EQ(inside.error(), "");
    auto opened = NetlinkSocket::open();
    ASSERT_TRUE(opened) << opened.error();
    in_b.emplace(std::move(opened).value());
  }
  EXPECT_TRUE(find_link(*in_b, "vB"));
  EXPECT_FALSE(find_link(*in_b, "vA"));

  // Back in the original namespace: neither end is visible there.
  auto here = NetlinkSocket::open();
  ASSERT_TRUE(here);
  EXPECT_FALSE(find_link(*here, "vA"));
  EXPECT_FALSE(find_link(*here, "vB"));
}

TEST(NetnsTest, TestbedRemovesItsNamespacesAndNeverTouchesTheRootOnes) {
  if (!running_as_root()) GTEST_SKIP() << "needs root";
  const std::string root_links_before = run_command("ip -o link show | cut -d' ' -f2").output;
  std::string a;
  std::string b;
  {
    Testbed testbed;
    ASSERT_EQ(testbed.setup_error(), "");
    a = testbed.namespace_a();
    b = testbed.namespace_b();
    EXPECT_EQ(testbed.run_in_a("ping -c 1 -W 1 10.77.0.2").exit_status, 0);
    EXPECT_EQ(testbed.run_in_a("ping -c 1 -W 1 fd77::2").exit_status, 0);
    EXPECT_EQ(run_command("ip -o link show | cut -d' ' -f2").output, root_links_before);
  }
  const std::string namespaces = run_command("ip netns list").output;
  EXPECT_EQ(namespaces.find(a), std::string::npos) << namespaces;
  EXPECT_EQ(namespaces.find(b), std::string::npos) << namespaces;
  EXPECT_EQ(run_command("ip -o link show | cut -d' ' -f2").output, root_links_before);
}

TEST(NetnsTest, MissingNamespaceIsNamedWithAHint) {
  if (!running_as_root()) GTEST_SKIP() << "needs root";
  auto entered = enter_network_namespace("ntt-does-not-exist");
  ASSERT_FALSE(entered);
  EXPECT_EQ(
      entered.error(),
      "cannot enter network namespace ntt-does-not-exist: /run/netns/ntt-does-not-exist: No such file or "
      "directory (create it with `ip netns add ntt-does-not-exist`)");
}

TEST(NetnsTest, RejectsPathsAsNames) {
  auto entered = enter_network_namespace("../../proc/1/ns/net");
  ASSERT_FALSE(entered);
  EXPECT_NE(entered.error().find("not a namespace name"), std::string::npos);
}

TEST(KernelConfigTest, ParsesConfigHz) {
  EXPECT_EQ(parse_config_hz("# CONFIG_HZ_100 is not set\nCONFIG_HZ_250=y\nCONFIG_HZ=250\n"), 250);
  EXPECT_EQ(parse_config_hz("CONFIG_HZ=1000"), 1000);
  EXPECT_EQ(parse_config_hz("CONFIG_HZ_1000=y\n"), std::nullopt);
  EXPECT_EQ(parse_config_hz("CONFIG_HZ=fast\n"), std::nullopt);
  EXPECT_EQ(parse_config_hz(""), std::nullopt);
}

TEST(KernelConfigTest, ReadsThisKernelsHz) {
  KernelHz hz = detect_kernel_hz();
  if (hz.guessed) GTEST_SKIP() << "no readable kernel config on this machine";
  EXPECT_GT(hz.hz, 0);
  EXPECT_FALSE(hz.source.empty());
  EXPECT_EQ(kernel_hz(), hz.hz);
}

}  // namespace
}  // namespace nettoll::testing
