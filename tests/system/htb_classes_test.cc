// SPDX-License-Identifier: Apache-2.0
// HTB classes through the adapter, read back over netlink and compared with
// what `tc -s class show` prints.
#include "kernel/htb_classes.h"

#include <fmt/format.h>
#include <gtest/gtest.h>

#include <map>

#include "core/plan.h"
#include "kernel/kernel_config.h"
#include "kernel/psched_time.h"
#include "kernel/qdiscs.h"
#include "namespace_test.h"
#include "tc_text.h"

namespace nettoll::testing {
namespace {

Rate mbit(uint64_t n) { return Rate::bits_per_second(n * 1'000'000); }
Rate gbit(uint64_t n) { return Rate::bits_per_second(n * 1'000'000'000); }

double bytes_per_tick(Rate rate) {
  return static_cast<double>(rate.bytes_per_second()) / psched_ticks_per_usec() / 1e6 + 1;
}

HtbClass make_class(uint16_t minor, uint16_t parent_minor, Rate rate, Rate ceil, int prio) {
  HtbClass htb_class;
  htb_class.id = Handle{kHtbMajor, minor};
  htb_class.parent = Handle{kHtbMajor, parent_minor};
  htb_class.rate = rate;
  htb_class.ceil = ceil;
  htb_class.prio = prio;
  htb_class.quantum = 1514 * 4;
  htb_class.burst = 15140;
  htb_class.cburst = 15140;
  return htb_class;
}

// The tree the tests build: a 2gbit..40gbit root (40gbit needs the 64-bit
// attributes: 5e9 bytes/s > 2^32), a default class and two rule classes.
std::vector<HtbClass> sample_tree() {
  return {
      make_class(kRootClassMinor, 0, gbit(2), gbit(40), 0),
      make_class(kDefaultClassMinor, kRootClassMinor, mbit(1), gbit(2), 7),
      make_class(0x10, kRootClassMinor, mbit(100), gbit(40), 0),
      make_class(0x11, kRootClassMinor, gbit(35), gbit(40), 3),
  };
}

class HtbClassesTest : public NamespaceTest {
 protected:
  void build_sample_tree() {
    auto qdisc = add_htb_qdisc(socket(), va_, Handle{kHtbMajor, 0}, kDefaultClassMinor);
    ASSERT_TRUE(qdisc) << qdisc.error();
    for (const auto& htb_class : sample_tree()) {
      auto added = add_htb_class(socket(), va_, htb_class);
      ASSERT_TRUE(added) << added.error();
      if (htb_class.id.minor == kRootClassMinor) continue;
      auto leaf = add_bfifo_qdisc(socket(), va_, htb_class.id,
                                  Handle{uint16_t(kLeafMajorBase + htb_class.id.minor), 0}, 30000);
      ASSERT_TRUE(leaf) << leaf.error();
    }
  }

  std::map<std::string, ClassInfo> classes_by_id() {
    auto classes = list_classes(socket(), va_);
    EXPECT_TRUE(classes) << classes.error();
    std::map<std::string, ClassInfo> by_id;
    if (classes) {
      for (const auto& info : *classes) by_id[format_handle(info.id)] = info;
    }
    return by_id;
  }

  std::map<std::string, TcTextClass> tc_classes() {
    auto shown = in_a("tc -s class show dev vA");
    EXPECT_EQ(shown.exit_status, 0) << shown.output;
    return parse_tc_classes(shown.output);
  }
};

TEST_F(HtbClassesTest, ReadsBackWhatWasAddedIncluding64BitRates) {
  build_sample_tree();
  auto listed = classes_by_id();
  ASSERT_EQ(listed.size(), 4u);
  for (const auto& wanted : sample_tree()) {
    SCOPED_TRACE(format_handle(wanted.id));
    const ClassInfo& got = listed.at(format_handle(wanted.id));
    EXPECT_EQ(got.kind, "htb");
    EXPECT_EQ(got.parent, wanted.parent);
    EXPECT_EQ(got.root, wanted.parent.minor == 0);
    EXPECT_EQ(got.rate, wanted.rate);
    EXPECT_EQ(got.ceil, wanted.ceil);
    EXPECT_EQ(got.prio, wanted.prio);
    EXPECT_EQ(got.quantum, wanted.quantum);
    // Bursts travel as whole psched ticks (64 ns) at the rate, truncated as
    // tc does: up to a tick's worth of bytes is lost (320 bytes at 40gbit).
    EXPECT_NEAR(got.burst_bytes, wanted.burst, bytes_per_tick(wanted.rate));
    EXPECT_LE(got.burst_bytes, wanted.burst);
    EXPECT_NEAR(got.cburst_bytes, wanted.cburst, bytes_per_tick(wanted.ceil));
    EXPECT_LE(got.cburst_bytes, wanted.cburst);
    if (wanted.id.minor == kRootClassMinor) {
      EXPECT_FALSE(got.leaf_qdisc);
      EXPECT_EQ(got.level, 7u);  // an inner class sits at HTB's top level
    } else {
      ASSERT_TRUE(got.leaf_qdisc);
      EXPECT_EQ(*got.leaf_qdisc, (Handle{uint16_t(kLeafMajorBase + wanted.id.minor), 0}));
      EXPECT_EQ(got.level, 0u);
    }
  }
}

TEST_F(HtbClassesTest, MatchesTcClassShow) {
  build_sample_tree();
  auto listed = classes_by_id();
  auto shown = tc_classes();
  ASSERT_EQ(shown.size(), listed.size());
  for (const auto& [id, got] : listed) {
    SCOPED_TRACE(id);
    ASSERT_TRUE(shown.count(id));
    const TcTextClass& tc = shown.at(id);
    EXPECT_EQ(tc.kind, "htb");
    EXPECT_EQ(tc.rate_bits, got.rate.bits_per_second());
    EXPECT_EQ(tc.ceil_bits, got.ceil.bits_per_second());
    // tc prints prio (and quantum) for leaf classes only.
    if (got.level == 0) {
      EXPECT_EQ(tc.prio, got.prio);
    }
    EXPECT_EQ(tc.parent, got.root ? "root" : format_handle(got.parent));
    EXPECT_EQ(tc.leaf, got.leaf_qdisc ? fmt::format("{:x}:", got.leaf_qdisc->major) : "");
  }
}

TEST_F(HtbClassesTest, StatisticsCountTrafficOfTheDefaultClass) {
  build_sample_tree();
  auto pinged = in_a("ping -c 5 -i 0.2 -W 1 10.77.0.2");
  ASSERT_EQ(pinged.exit_status, 0) << pinged.output;
  auto listed = classes_by_id();
  const ClassInfo& fallback = listed.at("7a:2");
  EXPECT_GE(fallback.stats.packets, 5u);
  EXPECT_GE(fallback.stats.bytes, 5u * 98);  // 98-byte echo requests on the wire
  EXPECT_GT(fallback.tokens, 0);
  auto shown = tc_classes();
  // Counters only grow; tc looked after the adapter did.
  EXPECT_GE(shown.at("7a:2").sent_packets, fallback.stats.packets);
  EXPECT_GE(shown.at("7a:2").sent_bytes, fallback.stats.bytes);
  EXPECT_EQ(listed.at("7a:10").stats.packets, 0u);
}

TEST_F(HtbClassesTest, ChangesAClassInPlaceKeepingItsLeafAndCounters) {
  build_sample_tree();
  ASSERT_EQ(in_a("ping -c 2 -i 0.2 -W 1 10.77.0.2").exit_status, 0);
  const uint64_t packets_before = classes_by_id().at("7a:2").stats.packets;

  HtbClass changed = make_class(kDefaultClassMinor, kRootClassMinor, mbit(20), mbit(50), 2);
  changed.burst = 30000;
  auto result = change_htb_class(socket(), va_, changed);
  ASSERT_TRUE(result) << result.error();

  const ClassInfo got = classes_by_id().at("7a:2");
  EXPECT_EQ(got.rate, mbit(20));
  EXPECT_EQ(got.ceil, mbit(50));
  EXPECT_EQ(got.prio, 2);
  EXPECT_NEAR(got.burst_bytes, 30000, 3);
  ASSERT_TRUE(got.leaf_qdisc);
  EXPECT_EQ(*got.leaf_qdisc, (Handle{uint16_t(kLeafMajorBase + kDefaultClassMinor), 0}));
  EXPECT_GE(got.stats.packets, packets_before);
  EXPECT_GT(packets_before, 0u);

  const TcTextClass tc = tc_classes().at("7a:2");
  EXPECT_EQ(tc.rate_bits, 20'000'000u);
  EXPECT_EQ(tc.ceil_bits, 50'000'000u);
  EXPECT_EQ(tc.prio, 2);
}

TEST_F(HtbClassesTest, ChangingAMissingClassNamesIt) {
  build_sample_tree();
  auto result = change_htb_class(socket(), va_, make_class(0x99, kRootClassMinor, mbit(1), mbit(1), 0));
  ASSERT_FALSE(result);
  // No extended ack on this path of the kernel: errno only.
  EXPECT_EQ(result.error().rfind("cannot change htb class 7a:99 on vA: No such file or directory", 0), 0u)
      << result.error();
}

TEST_F(HtbClassesTest, AddingUnderAMissingParentFailsAndNamesBoth) {
  build_sample_tree();
  auto result = add_htb_class(socket(), va_, make_class(0x20, 0x99, mbit(1), mbit(2), 0));
  ASSERT_FALSE(result);
  EXPECT_EQ(result.error(), "cannot add htb class 7a:20 on vA: parent class 7a:99 does not exist");
  EXPECT_EQ(tc_classes().count("7a:20"), 0u);
}

TEST_F(HtbClassesTest, AddingTwiceOrWithoutTheQdiscFailsNamingTheClass) {
  auto no_qdisc = add_htb_class(socket(), va_, make_class(kRootClassMinor, 0, mbit(10), mbit(10), 0));
  ASSERT_FALSE(no_qdisc);
  EXPECT_EQ(no_qdisc.error().rfind("cannot add htb class 7a:1 on vA: No such file or directory", 0), 0u)
      << no_qdisc.error();

  build_sample_tree();
  auto twice = add_htb_class(socket(), va_, sample_tree()[2]);
  ASSERT_FALSE(twice);
  EXPECT_EQ(twice.error().rfind("cannot add htb class 7a:10 on vA: File exists", 0), 0u) << twice.error();
}

TEST_F(HtbClassesTest, DeletesLeavesThenTheRootQdiscLeavingTheDeviceClean) {
  build_sample_tree();
  for (uint16_t minor : {0x11, 0x10, int(kDefaultClassMinor)}) {
    auto deleted = delete_htb_class(socket(), va_, Handle{kHtbMajor, minor});
    ASSERT_TRUE(deleted) << deleted.error();
  }
  auto listed = classes_by_id();
  ASSERT_EQ(listed.size(), 1u);
  EXPECT_TRUE(listed.count("7a:1"));

  auto missing = delete_htb_class(socket(), va_, Handle{kHtbMajor, 0x10});
  ASSERT_FALSE(missing);
  EXPECT_EQ(missing.error().rfind("cannot delete htb class 7a:10 on vA: No such file or directory", 0), 0u)
      << missing.error();

  auto root = delete_root_qdisc(socket(), va_);
  ASSERT_TRUE(root) << root.error();
  auto after = list_classes(socket(), va_);
  ASSERT_TRUE(after) << after.error();
  EXPECT_TRUE(after->empty());
  EXPECT_EQ(in_a("tc class show dev vA").output, "");
  auto qdiscs = in_a("tc qdisc show dev vA");
  EXPECT_EQ(qdiscs.output.find("htb"), std::string::npos) << qdiscs.output;
  EXPECT_EQ(qdiscs.output.find("bfifo"), std::string::npos) << qdiscs.output;
}

TEST_F(HtbClassesTest, DefaultBurstsFollowTcWhenThePlanGivesNone) {
  ASSERT_TRUE(add_htb_qdisc(socket(), va_, Handle{kHtbMajor, 0}, kDefaultClassMinor));
  HtbClass htb_class = make_class(kRootClassMinor, 0, mbit(8), mbit(16), 0);
  htb_class.burst = 0;
  htb_class.cburst = 0;
  htb_class.quantum = 0;
  ASSERT_TRUE(add_htb_class(socket(), va_, htb_class));
  const ClassInfo got = classes_by_id().at("7a:1");
  // rate/HZ + 1600 bytes, HZ 250 here: 1'000'000 / 250 + 1600.
  EXPECT_NEAR(got.burst_bytes, 1'000'000 / kernel_hz() + 1600, 2);
  EXPECT_NEAR(got.cburst_bytes, 2'000'000 / kernel_hz() + 1600, 2);
  EXPECT_EQ(got.quantum, 1'000'000u / 10);  // the kernel's rate / r2q
}

TEST_F(HtbClassesTest, KeepsTheKernelsWarningAboutAnOversizedQuantum) {
  ASSERT_TRUE(add_htb_qdisc(socket(), va_, Handle{kHtbMajor, 0}, kDefaultClassMinor));
  HtbClass htb_class = make_class(kRootClassMinor, 0, gbit(5), gbit(5), 0);
  htb_class.quantum = 0;  // 625'000'000 / r2q 10: far above HTB's 200000 cap
  ASSERT_TRUE(add_htb_class(socket(), va_, htb_class));
  EXPECT_NE(socket().last_warning().find("quantum of class 7A0001 is big"), std::string::npos)
      << socket().last_warning();
  EXPECT_EQ(classes_by_id().at("7a:1").quantum, 200000u);
  EXPECT_EQ(socket().last_warning(), "");  // cleared by the next request
}

}  // namespace
}  // namespace nettoll::testing
