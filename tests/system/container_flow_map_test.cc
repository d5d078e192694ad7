// SPDX-License-Identifier: Apache-2.0
// The container flow map as the daemon keeps it (kernel/bpf_container_maps):
// idle flows expire after the programs' timeout and recent ones stay, a
// removed link takes its flows and only its own, and the LRU map holds
// 10,000 flows. Real BPF maps of a loaded classifier; nothing is attached.
#include <arpa/inet.h>
#include <bpf/bpf.h>
#include <gtest/gtest.h>
#include <unistd.h>

#include <cstring>
#include <optional>

#include "bpf/container.h"
#include "kernel/bpf_classifier.h"
#include "kernel/bpf_container_maps.h"

namespace nettoll::testing {
namespace {

constexpr uint64_t kSecond = 1000000000ull;

class ContainerFlowMapTest : public ::testing::Test {
 protected:
  void SetUp() override {
    if (geteuid() != 0) GTEST_SKIP() << "needs root (BPF maps)";
    auto loaded = BpfClassifier::load();
    ASSERT_TRUE(loaded) << loaded.error();
    classifier_.emplace(std::move(loaded).value());
    maps_ = classifier_->container_maps();
  }

  // Records flow number `n` (an IPv4 TCP flow from local port n) through
  // link `ifindex`, last seen at monotonic time `last_seen_ns`.
  void record_flow(uint16_t n, uint32_t ifindex, uint64_t last_seen_ns) {
    container_flow_key key{};
    key.family = 4;
    key.protocol = 6;
    key.local_port = htons(n);
    key.remote_port = htons(uint16_t(5200 + ifindex));  // links' flows never collide
    const uint8_t local[4] = {10, 77, 0, 1};
    const uint8_t remote[4] = {10, 99, 0, 2};
    std::memcpy(key.local, local, sizeof(local));
    std::memcpy(key.remote, remote, sizeof(remote));
    container_flow flow{};
    flow.owner.rule_id = 10;
    flow.link_ifindex = ifindex;
    flow.last_seen_ns = last_seen_ns;
    ASSERT_EQ(bpf_map_update_elem(maps_.flows, &key, &flow, BPF_ANY), 0) << std::strerror(errno);
  }

  size_t flows_of(int ifindex) {
    const auto counts = count_container_flows(maps_);
    const auto found = counts.find(ifindex);
    return found == counts.end() ? 0 : found->second;
  }

  std::optional<BpfClassifier> classifier_;
  ContainerMapFds maps_;
};

TEST_F(ContainerFlowMapTest, IdleFlowsExpireAndRecentOnesStay) {
  const uint64_t now = monotonic_now_ns();
  const uint64_t timeout = NETTOLL_CONTAINER_FLOW_TIMEOUT_NS;
  record_flow(40001, 7, now - timeout - 10 * kSecond);  // idle past the timeout
  record_flow(40002, 7, now - timeout + 30 * kSecond);  // idle, but not for long enough
  record_flow(40003, 7, now - kSecond);                 // running
  record_flow(40004, 8, now - 2 * timeout);             // idle, through another link
  ASSERT_EQ(flows_of(7), 3u);
  ASSERT_EQ(flows_of(8), 1u);

  EXPECT_EQ(expire_container_flows(maps_, now), 2u);
  EXPECT_EQ(flows_of(7), 2u);
  EXPECT_EQ(flows_of(8), 0u);
  // The one that was close to the timeout goes once it has passed.
  EXPECT_EQ(expire_container_flows(maps_, now + 31 * kSecond), 1u);
  EXPECT_EQ(flows_of(7), 1u);
  // A last-seen time ahead of the clock (a packet after `now` was read) is
  // not mistaken for an old one.
  EXPECT_EQ(expire_container_flows(maps_, now - 5 * kSecond), 0u);
  EXPECT_EQ(flows_of(7), 1u);
}

TEST_F(ContainerFlowMapTest, ARemovedLinkTakesItsFlowsAndOnlyThose) {
  const uint64_t now = monotonic_now_ns();
  ASSERT_TRUE(write_container_link(maps_, 7, 1));
  ASSERT_TRUE(write_container_link(maps_, 8, 2));
  for (uint16_t n = 0; n < 50; ++n) record_flow(uint16_t(41000 + n), 7, now);
  for (uint16_t n = 0; n < 20; ++n) record_flow(uint16_t(42000 + n), 8, now);
  EXPECT_EQ(delete_container_link(maps_, 7), 50u);
  EXPECT_EQ(flows_of(7), 0u);
  EXPECT_EQ(flows_of(8), 20u);
  // Removing it again finds nothing and is not an error.
  EXPECT_EQ(delete_container_link(maps_, 7), 0u);
}

TEST_F(ContainerFlowMapTest, HoldsTenThousandFlows) {
  const uint64_t now = monotonic_now_ns();
  // Two links, 5,000 flows each: local ports are 16 bits.
  for (uint16_t n = 0; n < 5000; ++n) {
    record_flow(uint16_t(10000 + n), 7, now);
    record_flow(uint16_t(10000 + n), 8, now);
  }
  // The LRU map evicts only when full (65,536): all 10,000 are there.
  EXPECT_EQ(flows_of(7) + flows_of(8), 10000u);
  EXPECT_EQ(expire_container_flows(maps_, now + NETTOLL_CONTAINER_FLOW_TIMEOUT_NS + kSecond), 10000u);
  EXPECT_EQ(flows_of(7) + flows_of(8), 0u);
}

}  // namespace
}  // namespace nettoll::testing
