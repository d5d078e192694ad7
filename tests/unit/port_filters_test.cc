// SPDX-License-Identifier: Apache-2.0
#include "core/port_filters.h"

#include <gtest/gtest.h>
#include <netinet/in.h>

#include <set>

namespace nettoll {
namespace {

const std::vector<ClassifierEntry> kClassifier = {
    {1, "bulk", Handle{0x7a, 0x10}, Handle{0x7a, 0x10}},
    {2, "call", Handle{0x7a, 0x11}, Handle{0x7a, 0x11}},
};

LocalSocket tcp4(uint16_t port, uint64_t inode) { return {IpFamily::ipv4, IPPROTO_TCP, port, inode, false}; }

TEST(PlanPortFilters, MatchedSocketGetsOneFilterPerDirection) {
  const auto filters = plan_port_filters({tcp4(5201, 100), tcp4(22, 101)}, {{100, 1}}, kClassifier);
  ASSERT_EQ(filters.size(), 2u);
  EXPECT_EQ(filters[0],
            (PortFilter{{FilterDirection::egress, IpFamily::ipv4, IPPROTO_TCP, 5201}, Handle{0x7a, 0x10}}));
  EXPECT_EQ(filters[1],
            (PortFilter{{FilterDirection::ingress, IpFamily::ipv4, IPPROTO_TCP, 5201}, Handle{0x7a, 0x10}}));
}

TEST(PlanPortFilters, DualStackIpv6SocketAlsoCoversIpv4) {
  const LocalSocket dual{IpFamily::ipv6, IPPROTO_UDP, 4000, 7, false};
  const LocalSocket v6_only{IpFamily::ipv6, IPPROTO_UDP, 4001, 8, true};
  const auto filters = plan_port_filters({dual, v6_only}, {{7, 2}, {8, 2}}, kClassifier);
  std::set<std::pair<IpFamily, uint16_t>> seen;
  for (const PortFilter& filter : filters) seen.insert({filter.key.family, filter.key.port});
  EXPECT_EQ(seen, (std::set<std::pair<IpFamily, uint16_t>>{
                      {IpFamily::ipv4, 4000}, {IpFamily::ipv6, 4000}, {IpFamily::ipv6, 4001}}));
}

TEST(PlanPortFilters, PortSharedByTwoRulesGoesToTheFirstRule) {
  // Same port, two sockets (SO_REUSEPORT, or a listener and its accepted
  // connection in another process), in either dump order.
  for (const auto& sockets : {std::vector{tcp4(80, 1), tcp4(80, 2)}, std::vector{tcp4(80, 2), tcp4(80, 1)}}) {
    const auto filters = plan_port_filters(sockets, {{1, 2}, {2, 1}}, kClassifier);
    ASSERT_EQ(filters.size(), 2u);
    EXPECT_EQ(filters[0].class_id, (Handle{0x7a, 0x10}));
  }
}

TEST(PlanPortFilters, RuleWithoutClassifierEntryIsIgnored) {
  EXPECT_TRUE(plan_port_filters({tcp4(80, 1)}, {{1, 9}}, kClassifier).empty());
}

TEST(PortNodeHandle, EncodesTableBucketAndNode) {
  EXPECT_EQ(port_node_handle(IpFamily::ipv4, port_bucket(0x1389), 1), 0x7a189001u);
  EXPECT_EQ(port_node_handle(IpFamily::ipv6, 0xff, 0xfff), 0x7a2fffffu);
}

TEST(DiffPortFilters, SameFiltersAgainChangeNothing) {
  const auto wanted = plan_port_filters({tcp4(5201, 1)}, {{1, 1}}, kClassifier);
  const PortFilterChanges first = diff_port_filters({}, wanted);
  ASSERT_EQ(first.add.size(), 2u);
  EXPECT_TRUE(first.remove.empty());
  const PortFilterChanges second = diff_port_filters(first.add, wanted);
  EXPECT_TRUE(second.add.empty());
  EXPECT_TRUE(second.remove.empty());
}

TEST(DiffPortFilters, ClosedSocketIsRemovedAndClassChangeReplaces) {
  const auto before =
      diff_port_filters({}, plan_port_filters({tcp4(1000, 1), tcp4(2000, 2)}, {{1, 1}, {2, 1}}, kClassifier))
          .add;
  // Port 1000 closed; port 2000's process now falls under rule 2.
  const auto after = plan_port_filters({tcp4(2000, 2)}, {{2, 2}}, kClassifier);
  const PortFilterChanges changes = diff_port_filters(before, after);
  EXPECT_EQ(changes.remove.size(), 4u);
  ASSERT_EQ(changes.add.size(), 2u);
  for (const auto& added : changes.add) EXPECT_EQ(added.filter.class_id, (Handle{0x7a, 0x11}));
}

TEST(DiffPortFilters, PortsOfOneBucketGetDistinctNodesAndReuseFreedOnes) {
  // 0x0105 and 0x0205 share bucket 5.
  const std::vector<PortFilter> two = {
      {{FilterDirection::egress, IpFamily::ipv4, IPPROTO_TCP, 0x0105}, Handle{0x7a, 0x10}},
      {{FilterDirection::egress, IpFamily::ipv4, IPPROTO_TCP, 0x0205}, Handle{0x7a, 0x10}},
  };
  const auto installed = diff_port_filters({}, two).add;
  ASSERT_EQ(installed.size(), 2u);
  EXPECT_EQ(installed[0].handle, port_node_handle(IpFamily::ipv4, 5, 1));
  EXPECT_EQ(installed[1].handle, port_node_handle(IpFamily::ipv4, 5, 2));
  // The first goes, a third arrives: it takes node 1 again.
  const std::vector<PortFilter> next = {
      two[1], {{FilterDirection::egress, IpFamily::ipv4, IPPROTO_TCP, 0x0305}, Handle{0x7a, 0x10}}};
  const PortFilterChanges changes = diff_port_filters(installed, next);
  ASSERT_EQ(changes.add.size(), 1u);
  EXPECT_EQ(changes.add[0].handle, port_node_handle(IpFamily::ipv4, 5, 1));
}

TEST(DiffPortFilters, EveryPortOfABucketFits) {
  // The most a bucket holds: 256 ports x 2 protocols of one direction and family.
  std::vector<PortFilter> wanted;
  for (uint32_t high = 0; high < 256; ++high) {
    for (uint8_t protocol : {IPPROTO_TCP, IPPROTO_UDP}) {
      wanted.push_back(
          {{FilterDirection::egress, IpFamily::ipv6, protocol, uint16_t(high << 8 | 7)}, Handle{0x7a, 0x10}});
    }
  }
  const PortFilterChanges changes = diff_port_filters({}, wanted);
  ASSERT_EQ(changes.add.size(), 512u);
  std::set<uint32_t> handles;
  for (const auto& added : changes.add) handles.insert(added.handle);
  EXPECT_EQ(handles.size(), 512u);
  EXPECT_EQ(*handles.rbegin(), port_node_handle(IpFamily::ipv6, 7, 512));
}

}  // namespace
}  // namespace nettoll
