// SPDX-License-Identifier: Apache-2.0
// NamespaceTest: a fixture with a fresh Testbed and a netlink socket opened
// inside its namespace A, where `vA` lives. Skips when not root.
#pragma once

#include <gtest/gtest.h>

#include <memory>
#include <optional>

#include "kernel/links.h"
#include "kernel/netlink_socket.h"
#include "testbed.h"

namespace nettoll::testing {

class NamespaceTest : public ::testing::Test {
 protected:
  void SetUp() override {
    if (!running_as_root()) GTEST_SKIP() << "system tests need root (network namespaces, tc)";
    testbed_ = std::make_unique<Testbed>();
    ASSERT_EQ(testbed_->setup_error(), "");
    {
      ScopedNetworkNamespace inside(testbed_->namespace_a());
      ASSERT_EQ(inside.error(), "");
      auto opened = NetlinkSocket::open();
      ASSERT_TRUE(opened) << opened.error();
      socket_.emplace(std::move(opened).value());
    }
    auto link = find_link(*socket_, "vA");
    ASSERT_TRUE(link) << link.error();
    va_ = link->ifindex;
  }

  NetlinkSocket& socket() { return *socket_; }
  const Testbed& testbed() const { return *testbed_; }
  CommandOutput in_a(const std::string& command) const { return testbed_->run_in_a(command); }

  std::unique_ptr<Testbed> testbed_;
  std::optional<NetlinkSocket> socket_;
  int va_ = 0;
};

}  // namespace nettoll::testing
