// SPDX-License-Identifier: Apache-2.0
// Qdiscs through the adapter, read back over netlink and checked with
// `tc qdisc show`.
#include "kernel/qdiscs.h"

#include <gtest/gtest.h>

#include <algorithm>
#include <optional>
#include <sstream>

#include "core/kernel_state.h"
#include "core/plan.h"
#include "kernel/htb_classes.h"
#include "namespace_test.h"
#include "tc_text.h"

namespace nettoll::testing {
namespace {

Rate mbit(uint64_t n) { return Rate::bits_per_second(n * 1'000'000); }

class QdiscsTest : public NamespaceTest {
 protected:
  std::vector<QdiscInfo> qdiscs() {
    auto listed = list_qdiscs(socket(), va_);
    EXPECT_TRUE(listed) << listed.error();
    return listed ? *listed : std::vector<QdiscInfo>{};
  }

  std::optional<QdiscInfo> qdisc_of_kind(const std::string& kind) {
    for (const auto& info : qdiscs()) {
      if (info.kind == kind) return info;
    }
    return std::nullopt;
  }

  std::optional<QdiscInfo> root_qdisc() {
    for (const auto& info : qdiscs()) {
      if (info.root) return info;
    }
    return std::nullopt;
  }

  // The `tc qdisc show` line for `kind`, or "".
  std::string tc_line(const std::string& kind) {
    auto shown = in_a("tc qdisc show dev vA");
    EXPECT_EQ(shown.exit_status, 0) << shown.output;
    std::istringstream lines(shown.output);
    for (std::string line; std::getline(lines, line);) {
      if (line.rfind("qdisc " + kind + " ", 0) == 0) return line;
    }
    return "";
  }

  void add_htb_with_class() {
    ASSERT_TRUE(add_htb_qdisc(socket(), va_, Handle{kHtbMajor, 0}, kDefaultClassMinor));
    HtbClass htb_class;
    htb_class.id = Handle{kHtbMajor, 0x10};
    htb_class.parent = Handle{kHtbMajor, 0};
    htb_class.rate = mbit(10);
    htb_class.ceil = mbit(10);
    auto added = add_htb_class(socket(), va_, htb_class);
    ASSERT_TRUE(added) << added.error();
  }
};

TEST_F(QdiscsTest, ListsTheKernelsDefaultRootOfAVeth) {
  auto root = root_qdisc();
  ASSERT_TRUE(root);
  EXPECT_EQ(root->kind, "noqueue");
  EXPECT_EQ(root->parent, kRootParent);
}

TEST_F(QdiscsTest, HtbRootCarriesItsDefaultClassAndDeleteRestoresTheDefault) {
  auto added = add_htb_qdisc(socket(), va_, Handle{kHtbMajor, 0}, 0x2a);
  ASSERT_TRUE(added) << added.error();
  auto root = root_qdisc();
  ASSERT_TRUE(root);
  EXPECT_EQ(root->kind, "htb");
  EXPECT_EQ(root->handle, (Handle{kHtbMajor, 0}));
  EXPECT_EQ(root->htb_default, 0x2a);
  EXPECT_EQ(tc_value_after(tc_line("htb"), "default"), "0x2a");

  auto twice = add_htb_qdisc(socket(), va_, Handle{kHtbMajor, 0}, 0x2a);
  ASSERT_FALSE(twice);
  EXPECT_EQ(twice.error().rfind("cannot add htb qdisc 7a:0 on vA: File exists", 0), 0u) << twice.error();

  ASSERT_TRUE(delete_root_qdisc(socket(), va_));
  root = root_qdisc();
  ASSERT_TRUE(root);
  EXPECT_EQ(root->kind, "noqueue");

  auto nothing = delete_root_qdisc(socket(), va_);
  ASSERT_FALSE(nothing);
  EXPECT_EQ(nothing.error().rfind("cannot delete root qdisc on vA: ", 0), 0u) << nothing.error();
}

TEST_F(QdiscsTest, BfifoLeafUnderAClassReadsBackItsLimit) {
  add_htb_with_class();
  LeafQueue leaf;
  leaf.kind = LeafQueueKind::bfifo;
  leaf.handle = Handle{0x8010, 0};
  leaf.limit_bytes = 25000;
  auto added = add_leaf_qdisc(socket(), va_, Handle{kHtbMajor, 0x10}, leaf);
  ASSERT_TRUE(added) << added.error();
  auto bfifo = qdisc_of_kind("bfifo");
  ASSERT_TRUE(bfifo);
  EXPECT_EQ(bfifo->handle, leaf.handle);
  EXPECT_EQ(bfifo->parent, (Handle{kHtbMajor, 0x10}));
  EXPECT_FALSE(bfifo->root);
  EXPECT_EQ(bfifo->limit_bytes, 25000u);
  const std::string line = tc_line("bfifo");
  EXPECT_EQ(tc_value_after(line, "parent"), "7a:10");
  EXPECT_EQ(tc_value_after(line, "limit"), "25000b");

  // Replacing the leaf in place (what the reconciler does on a resize).
  leaf.limit_bytes = 50000;
  ASSERT_TRUE(add_leaf_qdisc(socket(), va_, Handle{kHtbMajor, 0x10}, leaf, QdiscWrite::replace));
  EXPECT_EQ(qdisc_of_kind("bfifo")->limit_bytes, 50000u);

  ASSERT_TRUE(delete_qdisc(socket(), va_, Handle{kHtbMajor, 0x10}, leaf.handle));
  EXPECT_FALSE(qdisc_of_kind("bfifo"));
}

TEST_F(QdiscsTest, FqCodelFailsClearlyWhereTheKernelLacksIt) {
  add_htb_with_class();
  LeafQueue leaf;
  leaf.kind = LeafQueueKind::fq_codel;
  leaf.handle = Handle{0x8010, 0};
  leaf.limit_packets = 1000;
  leaf.target = std::chrono::milliseconds(5);
  leaf.interval = std::chrono::milliseconds(100);
  auto added = add_leaf_qdisc(socket(), va_, Handle{kHtbMajor, 0x10}, leaf, QdiscWrite::add);
  if (added) {
    // A kernel with fq_codel (distribution kernels): it must read back.
    auto fq_codel = qdisc_of_kind("fq_codel");
    ASSERT_TRUE(fq_codel);
    EXPECT_EQ(fq_codel->limit_packets, 1000u);
    EXPECT_EQ(fq_codel->fq_codel_target, std::chrono::milliseconds(5));
    EXPECT_EQ(fq_codel->fq_codel_interval, std::chrono::milliseconds(100));
    GTEST_SKIP() << "this kernel has fq_codel";
  }
  EXPECT_EQ(added.error(),
            "cannot add fq_codel qdisc 8010:0 under 7a:10 on vA: No such file or directory "
            "(Specified qdisc kind is unknown)");
  EXPECT_FALSE(qdisc_of_kind("fq_codel"));
}

TEST_F(QdiscsTest, TbfRootReadsBackRateBurstAndLimit) {
  auto added = add_tbf_qdisc(socket(), va_, Handle{kTbfMajor, 0}, mbit(10), 5000, 30000);
  ASSERT_TRUE(added) << added.error();
  auto tbf = root_qdisc();
  ASSERT_TRUE(tbf);
  EXPECT_EQ(tbf->kind, "tbf");
  EXPECT_EQ(tbf->handle, (Handle{kTbfMajor, 0}));
  EXPECT_EQ(tbf->tbf_rate, mbit(10));
  EXPECT_NEAR(tbf->tbf_burst_bytes, 5000, 1);
  EXPECT_EQ(tbf->limit_bytes, 30000u);
  const std::string line = tc_line("tbf");
  EXPECT_EQ(tc_value_after(line, "rate"), "10Mbit") << line;
  EXPECT_EQ(tc_value_after(line, "burst"), "5000b") << line;
  // tc shows the limit as the latency it allows: (30000 - 5000) B at 10mbit.
  EXPECT_EQ(tc_value_after(line, "lat"), "20ms") << line;
}

TEST_F(QdiscsTest, TbfAbove32BitBytesPerSecondAndReplaceByHtb) {
  const Rate fast = Rate::bits_per_second(40'000'000'000);  // 5e9 bytes/s > 2^32
  auto added = add_tbf_qdisc(socket(), va_, Handle{kTbfMajor, 0}, fast, 1'000'000, 2'000'000);
  ASSERT_TRUE(added) << added.error();
  auto tbf = root_qdisc();
  ASSERT_TRUE(tbf);
  EXPECT_EQ(tbf->tbf_rate, fast);
  // Read back through 64 ns ticks: 320 bytes each at 5e9 bytes/s.
  EXPECT_NEAR(tbf->tbf_burst_bytes, 1'000'000, 321);
  EXPECT_EQ(tc_value_after(tc_line("tbf"), "rate"), "40Gbit");

  // A rate change in place: same handle, replace.
  ASSERT_TRUE(add_tbf_qdisc(socket(), va_, Handle{kTbfMajor, 0}, mbit(5), 4000, 20000, QdiscWrite::replace));
  EXPECT_EQ(root_qdisc()->tbf_rate, mbit(5));

  // nettoll's HTB replacing its own TBF at the root.
  auto replaced = add_htb_qdisc(socket(), va_, Handle{kHtbMajor, 0}, kDefaultClassMinor, QdiscWrite::replace);
  ASSERT_TRUE(replaced) << replaced.error();
  EXPECT_EQ(root_qdisc()->kind, "htb");
  EXPECT_FALSE(qdisc_of_kind("tbf"));
}

TEST_F(QdiscsTest, ClsactAddListAndDelete) {
  ASSERT_TRUE(add_clsact_qdisc(socket(), va_));
  auto clsact = qdisc_of_kind("clsact");
  ASSERT_TRUE(clsact);
  EXPECT_EQ(clsact->parent, kIngressParent);
  EXPECT_FALSE(clsact->root);
  EXPECT_NE(tc_line("clsact"), "");

  auto twice = add_clsact_qdisc(socket(), va_);
  ASSERT_FALSE(twice);
  EXPECT_EQ(twice.error().rfind("cannot add clsact qdisc on vA: File exists", 0), 0u) << twice.error();

  ASSERT_TRUE(delete_clsact_qdisc(socket(), va_));
  EXPECT_FALSE(qdisc_of_kind("clsact"));
  EXPECT_EQ(tc_line("clsact"), "");
  auto again = delete_clsact_qdisc(socket(), va_);
  ASSERT_FALSE(again);
  EXPECT_EQ(again.error().rfind("cannot delete clsact qdisc on vA: ", 0), 0u) << again.error();
}

TEST_F(QdiscsTest, ShapesTheIfbToo) {
  ASSERT_TRUE(create_ifb(socket(), "ntb-vA"));
  auto ifb = find_link(socket(), "ntb-vA");
  ASSERT_TRUE(ifb);
  ASSERT_TRUE(set_link_up(socket(), ifb->ifindex));
  auto added = add_htb_qdisc(socket(), ifb->ifindex, Handle{kHtbMajor, 0}, kDefaultClassMinor);
  ASSERT_TRUE(added) << added.error();
  auto listed = list_qdiscs(socket(), ifb->ifindex);
  ASSERT_TRUE(listed);
  ASSERT_EQ(listed->size(), 1u);
  EXPECT_EQ(listed->front().kind, "htb");
  // vA's qdiscs are its own: the dump is filtered by device.
  EXPECT_FALSE(qdisc_of_kind("htb"));
  auto bad = add_htb_qdisc(socket(), ifb->ifindex, Handle{kHtbMajor, 0}, kDefaultClassMinor);
  ASSERT_FALSE(bad);
  EXPECT_EQ(bad.error().rfind("cannot add htb qdisc 7a:0 on ntb-vA: ", 0), 0u) << bad.error();
  ASSERT_TRUE(delete_link(socket(), "ntb-vA"));
}

TEST_F(QdiscsTest, CleanupLeavesTheNamespaceAsFound) {
  const std::string links_before = in_a("ip -o link show | cut -d' ' -f2").output;
  const std::string qdiscs_before = in_a("tc qdisc show").output;

  // Everything nettoll puts in place for one interface, both directions.
  add_htb_with_class();
  LeafQueue leaf;
  leaf.handle = Handle{0x8010, 0};
  leaf.limit_bytes = 12000;
  ASSERT_TRUE(add_leaf_qdisc(socket(), va_, Handle{kHtbMajor, 0x10}, leaf));
  ASSERT_TRUE(add_clsact_qdisc(socket(), va_));
  ASSERT_TRUE(create_ifb(socket(), "ntb-vA"));
  auto ifb = find_link(socket(), "ntb-vA");
  ASSERT_TRUE(ifb);
  ASSERT_TRUE(set_link_up(socket(), ifb->ifindex));
  ASSERT_TRUE(add_htb_qdisc(socket(), ifb->ifindex, Handle{kHtbMajor, 0}, kDefaultClassMinor));
  EXPECT_NE(in_a("tc qdisc show").output, qdiscs_before);

  ASSERT_TRUE(delete_clsact_qdisc(socket(), va_));
  ASSERT_TRUE(delete_root_qdisc(socket(), va_));
  ASSERT_TRUE(delete_link(socket(), ifb->ifindex));
  EXPECT_EQ(in_a("ip -o link show | cut -d' ' -f2").output, links_before);
  EXPECT_EQ(in_a("tc qdisc show").output, qdiscs_before);
  EXPECT_EQ(in_a("tc class show dev vA").output, "");
}

TEST_F(QdiscsTest, ErrorsOnAVanishedDeviceNameItsIndex) {
  auto added = add_clsact_qdisc(socket(), 4242);
  ASSERT_FALSE(added);
  EXPECT_EQ(added.error(), "cannot add clsact qdisc on interface #4242: No such device");
}

}  // namespace
}  // namespace nettoll::testing
