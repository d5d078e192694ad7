// SPDX-License-Identifier: Apache-2.0
// Reserved streams in the plan: a class per viewer in each direction, stable
// minors, bulk classes giving way, and rates that fit under the limit.
#include <gtest/gtest.h>

#include "core/plan_format.h"
#include "core/planner.h"
#include "core/stream_classes.h"

namespace nettoll {
namespace {

Rate mbit(uint64_t n) { return Rate::bits_per_second(n * 1'000'000); }

const ManagedInterface kEth0{"eth0", 1500};
const KernelCapabilities kFqCodel{true, 250};

ReservedStream stream(const std::string& id, const std::string& address, Rate upload, Rate download) {
  auto remote = parse_ip_address(address);
  EXPECT_TRUE(remote) << address;
  return ReservedStream{id, *remote, upload, download};
}

// 100 Mbit/s each way, a `bulk` torrent rule with a 2 Mbit/s minimum and
// an unbulky browser rule.
Config config_with_bulk() {
  Config config;
  config.upload.limit = mbit(100);
  config.download.limit = mbit(100);
  ProcessRule torrent;
  torrent.name = "torrent";
  torrent.bulk = true;
  torrent.upload.minimum = mbit(2);
  torrent.download.minimum = mbit(2);
  ProcessRule browser;
  browser.name = "browser";
  config.processes = {torrent, browser};
  config.reservations = ReservationsConfig{};
  return config;
}

const HtbClass* find_class(const HtbTree& tree, uint16_t minor) {
  for (const HtbClass& c : tree.classes) {
    if (c.id.minor == minor) return &c;
  }
  return nullptr;
}

TEST(StreamPlanner, ViewerGetsAClassEachWayAndAClassifierEntry) {
  Config config = config_with_bulk();
  config.reservations->reservation_priority = 1;
  const Plan plan = make_plan(config, kEth0, kFqCodel, {}, {stream("s1", "203.0.113.5", mbit(10), mbit(3))});
  const HtbClass* up = find_class(*plan.egress, kFirstStreamClassMinor);
  const HtbClass* down = find_class(*plan.ingress, kFirstStreamClassMinor);
  ASSERT_TRUE(up && down);
  EXPECT_EQ(up->rate, mbit(10));
  EXPECT_EQ(up->ceil, mbit(100));
  EXPECT_EQ(up->prio, 1);
  EXPECT_EQ(up->rule, "stream 203.0.113.5/32");
  ASSERT_TRUE(up->leaf);
  EXPECT_EQ(down->rate, mbit(3));
  EXPECT_EQ(down->ceil, mbit(100));
  ASSERT_EQ(plan.streams.size(), 1u);
  EXPECT_EQ(format_cidr(plan.streams[0].remote), "203.0.113.5/32");
  EXPECT_EQ(plan.streams[0].streams, "s1");
  EXPECT_EQ(format_handle(plan.streams[0].egress_class), "7a:7000");
  EXPECT_EQ(format_handle(plan.streams[0].ingress_class), "7a:7000");
  EXPECT_NE(format_plan(plan).find("203.0.113.5/32"), std::string::npos) << format_plan(plan);
  EXPECT_TRUE(plan_to_json(plan).contains("streams"));
}

TEST(StreamPlanner, PriorityDefaultsToHighest) {
  const Plan plan =
      make_plan(config_with_bulk(), kEth0, kFqCodel, {}, {stream("s", "2001:db8::5", mbit(5), mbit(1))});
  EXPECT_EQ(find_class(*plan.egress, kFirstStreamClassMinor)->prio, kHighestPriority);
  EXPECT_EQ(format_cidr(plan.streams.at(0).remote), "2001:db8::5/128");
}

TEST(StreamPlanner, NoStreamsLeavesThePlanAsItWas) {
  const Config config = config_with_bulk();
  const Plan plan = make_plan(config, kEth0, kFqCodel);
  EXPECT_TRUE(plan.streams.empty());
  EXPECT_EQ(plan.egress->classes.size(), 4u);  // root, default, two rules
  EXPECT_FALSE(plan_to_json(plan).contains("streams"));
  EXPECT_EQ(plan, make_plan(config, kEth0, kFqCodel, {}, {}, {}));
}

TEST(StreamPlanner, BulkCeilGivesWayByTheTotalReservedInEachDirection) {
  const Plan plan = make_plan(
      config_with_bulk(), kEth0, kFqCodel, {},
      {stream("a", "203.0.113.5", mbit(10), mbit(3)), stream("b", "198.51.100.7", mbit(20), mbit(6))});
  EXPECT_EQ(plan.egress->classes[2].rule, "torrent");
  EXPECT_EQ(plan.egress->classes[2].ceil, mbit(70));
  EXPECT_EQ(plan.ingress->classes[2].ceil, mbit(91));
  EXPECT_EQ(plan.egress->classes[3].rule, "browser");
  EXPECT_EQ(plan.egress->classes[3].ceil, mbit(100)) << "only bulk classes give way";
  EXPECT_EQ(plan.egress->classes[1].ceil, mbit(100)) << "nor does the default class";
}

// A bulk class squeezed by a stream may catch up for 100 ms at its ceil
// after the stream borrowed above its reservation; without streams it has
// the usual one-tick burst.
TEST(StreamPlanner, SqueezedBulkClassGetsACatchUpCeilBurst) {
  const Plan alone = make_plan(config_with_bulk(), kEth0, kFqCodel);
  const Plan squeezed =
      make_plan(config_with_bulk(), kEth0, kFqCodel, {}, {stream("a", "203.0.113.5", mbit(10), mbit(3))});
  ASSERT_EQ(squeezed.egress->classes[2].ceil, mbit(90));
  EXPECT_EQ(squeezed.egress->classes[2].cburst, 90'000'000 / 8 / 10);
  EXPECT_EQ(squeezed.ingress->classes[2].cburst, 97'000'000 / 8 / 10);
  EXPECT_LT(alone.egress->classes[2].cburst, 90'000'000 / 8 / 10);
  EXPECT_EQ(squeezed.egress->classes[3].cburst, alone.egress->classes[3].cburst) << "browser: not bulk";
}

TEST(StreamPlanner, BulkCeilNeverGoesBelowItsMinimum) {
  Config config = config_with_bulk();
  config.processes[0].upload.limit = mbit(50);
  const Plan plan = make_plan(config, kEth0, kFqCodel, {}, {stream("a", "203.0.113.5", mbit(99), mbit(1))});
  const HtbClass& torrent = plan.egress->classes[2];
  // 99 of 100 reserved: the streams' and the classes' rates are scaled to
  // fit, and the bulk class keeps at least its (scaled) minimum.
  EXPECT_GE(torrent.ceil, torrent.rate);
  EXPECT_LT(torrent.ceil, mbit(3));
  EXPECT_GE(torrent.rate, mbit(1));
  // Its own limit still caps it when the streams leave more.
  const Plan small = make_plan(config, kEth0, kFqCodel, {}, {stream("a", "203.0.113.5", mbit(10), mbit(1))});
  EXPECT_EQ(small.egress->classes[2].ceil, mbit(50));
}

TEST(StreamPlanner, StreamRatesAreScaledToFitUnderTheLimit) {
  const Plan plan = make_plan(
      config_with_bulk(), kEth0, kFqCodel, {},
      {stream("a", "203.0.113.5", mbit(80), mbit(1)), stream("b", "198.51.100.7", mbit(80), mbit(1))});
  Rate sum;
  for (size_t i = 1; i < plan.egress->classes.size(); ++i) sum = sum + plan.egress->classes[i].rate;
  EXPECT_LE(sum, mbit(100));
  const HtbClass* a = find_class(*plan.egress, kFirstStreamClassMinor);
  ASSERT_TRUE(a);
  EXPECT_GT(a->rate, mbit(45));
  EXPECT_LT(a->rate, mbit(50));
  bool noted = false;
  for (const std::string& note : plan.notes)
    noted |= note.find("reserved streams add up to") != std::string::npos;
  EXPECT_TRUE(noted);
}

TEST(StreamPlanner, ViewerMinorsAreStableAndFreedSlotsReused) {
  const Config config = config_with_bulk();
  const Plan first = make_plan(
      config, kEth0, kFqCodel, {},
      {stream("a", "203.0.113.5", mbit(1), mbit(1)), stream("b", "198.51.100.7", mbit(1), mbit(1))});
  ASSERT_EQ(first.streams.size(), 2u);
  EXPECT_EQ(first.streams[1].egress_class.minor, kFirstStreamClassMinor + 1);  // b
  // a ends, c starts before b in the book's order: b keeps its class, c takes a's.
  const Plan second =
      make_plan(config, kEth0, kFqCodel, {},
                {stream("c", "2001:db8::9", mbit(1), mbit(1)), stream("b", "198.51.100.7", mbit(1), mbit(1))},
                stream_slots_of(first));
  const StreamSlots slots = stream_slots_of(second);
  EXPECT_EQ(slots.at("198.51.100.7/32"), kFirstStreamClassMinor + 1);
  EXPECT_EQ(slots.at("2001:db8::9/128"), kFirstStreamClassMinor);
  EXPECT_FALSE(slots.contains("203.0.113.5/32"));
}

TEST(StreamPlanner, SessionsOfOneViewerShareItsClass) {
  const Plan plan = make_plan(
      config_with_bulk(), kEth0, kFqCodel, {},
      {stream("tv", "203.0.113.5", mbit(8), mbit(2)), stream("phone", "203.0.113.5", mbit(4), mbit(1))});
  ASSERT_EQ(plan.streams.size(), 1u);
  EXPECT_EQ(plan.streams[0].streams, "tv,phone");
  EXPECT_EQ(find_class(*plan.egress, kFirstStreamClassMinor)->rate, mbit(12));
}

TEST(StreamPlanner, NothingReservedOneWayMeansNoClassThatWay) {
  const Plan plan =
      make_plan(config_with_bulk(), kEth0, kFqCodel, {}, {stream("a", "203.0.113.5", mbit(5), Rate{})});
  ASSERT_EQ(plan.streams.size(), 1u);
  EXPECT_EQ(plan.streams[0].ingress_class.packed(), 0u);
  EXPECT_EQ(find_class(*plan.ingress, kFirstStreamClassMinor), nullptr);
  EXPECT_EQ(plan.ingress->classes[2].ceil, mbit(100));
}

TEST(StreamPlanner, StreamsCreateNoTreeWithoutALimit) {
  Config config;
  config.upload.limit = mbit(20);
  const Plan plan = make_plan(config, kEth0, kFqCodel, {}, {stream("a", "203.0.113.5", mbit(5), mbit(1))});
  EXPECT_FALSE(plan.ingress);
  ASSERT_EQ(plan.streams.size(), 1u);
  EXPECT_EQ(plan.streams[0].ingress_class.packed(), 0u);
  EXPECT_EQ(format_handle(plan.streams[0].egress_class), "7a:7000");
  EXPECT_EQ(
      make_plan(Config{}, kEth0, kFqCodel, {}, {stream("a", "203.0.113.5", mbit(5), mbit(1))}).streams.size(),
      0u);
}

TEST(StreamClasses, NetworksAreNotStreams) {
  std::vector<std::string> notes;
  const auto viewers =
      assign_stream_classes({ReservedStream{"net", *parse_cidr("10.0.0.0/8"), mbit(1), mbit(1)}}, {}, notes);
  EXPECT_TRUE(viewers.empty());
  ASSERT_EQ(notes.size(), 1u);
  EXPECT_NE(notes[0].find("not a single address"), std::string::npos);
}

TEST(StreamClasses, ViewersBeyondTheRangeGetNoClass) {
  std::vector<ReservedStream> streams;
  const size_t capacity = kLastStreamClassMinor - kFirstStreamClassMinor + 1;
  for (size_t i = 0; i <= capacity; ++i) {
    Cidr remote = *parse_ip_address("2001:db8::");
    remote.address[14] = uint8_t(i >> 8);
    remote.address[15] = uint8_t(i);
    streams.push_back(ReservedStream{std::to_string(i), remote, mbit(1), mbit(1)});
  }
  std::vector<std::string> notes;
  const auto viewers = assign_stream_classes(streams, {}, notes);
  EXPECT_EQ(viewers.size(), capacity);
  EXPECT_EQ(viewers.back().minor, kLastStreamClassMinor);
  EXPECT_EQ(notes.size(), 1u);
}

TEST(StreamClasses, APreviousSlotOutOfRangeIsNotKept) {
  std::vector<std::string> notes;
  const auto viewers = assign_stream_classes({stream("a", "203.0.113.5", mbit(1), mbit(1))},
                                             {{"203.0.113.5/32", 0x10}}, notes);
  ASSERT_EQ(viewers.size(), 1u);
  EXPECT_EQ(viewers[0].minor, kFirstStreamClassMinor);
}

}  // namespace
}  // namespace nettoll
