// SPDX-License-Identifier: Apache-2.0
#include "core/reservation_book.h"

#include <gtest/gtest.h>

namespace nettoll {
namespace {

using std::chrono::minutes;
using std::chrono::seconds;

Rate mbit(uint64_t n) { return Rate::bits_per_second(n * 1'000'000); }
Rate kbit(uint64_t n) { return Rate::bits_per_second(n * 1'000); }

ReservationsConfig settings() {
  ReservationsConfig config;
  config.local_networks = {*parse_cidr("192.168.0.0/16"), *parse_cidr("fc00::/7")};
  config.link_upload = mbit(50);
  config.link_download = mbit(400);
  config.download_factor = 0.3;
  config.margin = minutes(5);
  config.default_duration = minutes(240);
  config.client_minimum = mbit(1);
  return config;
}

StreamEvent play(std::string id, std::string ip, Rate upload,
                 std::optional<Duration> remaining = minutes(60)) {
  StreamEvent event;
  event.action = StreamAction::play;
  event.source = ReservationSource::tautulli;
  event.id = std::move(id);
  event.remote_ip = std::move(ip);
  event.upload = upload;
  event.remaining = remaining;
  return event;
}

StreamEvent bare(StreamAction action, std::string id) {
  StreamEvent event;
  event.action = action;
  event.id = std::move(id);
  return event;
}

const WallTime t0 = WallTime(seconds(1'800'000'000));

TEST(ReservationBookTest, PlayReservesUploadAndDownloadByFactor) {
  ReservationBook book(settings());
  ASSERT_TRUE(book.apply(play("s1", "203.0.113.5", kbit(10000)), t0));
  EXPECT_EQ(book.reserved_upload(), mbit(10));
  EXPECT_EQ(book.reserved_download(), mbit(3));
  ASSERT_EQ(book.active_streams().size(), 1u);
  EXPECT_EQ(book.active_streams()[0].remote, *parse_cidr("203.0.113.5/32"));
  const auto targets = book.client_targets();
  ASSERT_TRUE(targets);
  EXPECT_EQ(targets->upload, mbit(40));
  EXPECT_EQ(targets->download, mbit(397));
  EXPECT_EQ(book.find("s1")->expires, t0 + minutes(65));
}

TEST(ReservationBookTest, GivenDownloadOverridesFactor) {
  ReservationBook book(settings());
  StreamEvent event = play("s1", "203.0.113.5", mbit(8));
  event.download = mbit(1);
  ASSERT_TRUE(book.apply(event, t0));
  EXPECT_EQ(book.reserved_download(), mbit(1));
}

TEST(ReservationBookTest, OverlappingSessionsAddUpAndEndSeparately) {
  ReservationBook book(settings());
  ASSERT_TRUE(book.apply(play("a", "203.0.113.5", mbit(10)), t0));
  ASSERT_TRUE(book.apply(play("b", "198.51.100.7", mbit(5)), t0 + seconds(30)));
  EXPECT_EQ(book.reserved_upload(), mbit(15));
  EXPECT_EQ(book.client_targets()->upload, mbit(35));
  ASSERT_TRUE(book.apply(bare(StreamAction::stop, "a"), t0 + minutes(1)));
  EXPECT_EQ(book.reserved_upload(), mbit(5));
  ASSERT_TRUE(book.apply(bare(StreamAction::stop, "b"), t0 + minutes(2)));
  EXPECT_FALSE(book.client_targets());
  EXPECT_TRUE(book.reservations().empty());
}

TEST(ReservationBookTest, TranscodeChangeUpdatesRateAndExpiryKeepingAddress) {
  ReservationBook book(settings());
  ASSERT_TRUE(book.apply(play("s1", "203.0.113.5", mbit(20)), t0));
  StreamEvent change = bare(StreamAction::change, "s1");
  change.upload = mbit(4);
  change.remaining = minutes(30);
  ASSERT_TRUE(book.apply(change, t0 + minutes(10)));
  ASSERT_EQ(book.reservations().size(), 1u);
  EXPECT_EQ(book.reserved_upload(), mbit(4));
  EXPECT_EQ(book.find("s1")->remote_ip, "203.0.113.5");
  EXPECT_EQ(book.find("s1")->expires, t0 + minutes(45));
}

TEST(ReservationBookTest, PauseReleasesAndResumeRestores) {
  ReservationBook book(settings());
  ASSERT_TRUE(book.apply(play("s1", "203.0.113.5", mbit(10)), t0));
  ASSERT_TRUE(book.apply(bare(StreamAction::pause, "s1"), t0 + minutes(1)));
  EXPECT_EQ(book.find("s1")->state, ReservationState::paused);
  EXPECT_EQ(book.reserved_upload(), Rate());
  EXPECT_TRUE(book.active_streams().empty());
  EXPECT_FALSE(book.client_targets());
  // Resume without a rate (the CLI's -resume may carry none): the session's own.
  ASSERT_TRUE(book.apply(bare(StreamAction::resume, "s1"), t0 + minutes(2)));
  EXPECT_EQ(book.find("s1")->state, ReservationState::active);
  EXPECT_EQ(book.reserved_upload(), mbit(10));
}

TEST(ReservationBookTest, ExpiryRemovesAndReportsNextExpiry) {
  ReservationBook book(settings());
  ASSERT_TRUE(book.apply(play("short", "203.0.113.5", mbit(2), minutes(10)), t0));
  ASSERT_TRUE(book.apply(play("long", "203.0.113.6", mbit(3), std::nullopt), t0));
  EXPECT_EQ(book.next_expiry(), t0 + minutes(15));
  EXPECT_TRUE(book.expire(t0 + minutes(14)).empty());
  EXPECT_EQ(book.expire(t0 + minutes(15)), std::vector<std::string>{"short"});
  EXPECT_EQ(book.next_expiry(), t0 + minutes(240));
  EXPECT_EQ(book.expire(t0 + minutes(300)), std::vector<std::string>{"long"});
  EXPECT_FALSE(book.next_expiry());
}

TEST(ReservationBookTest, WatchedRefreshesExpiry) {
  ReservationBook book(settings());
  ASSERT_TRUE(book.apply(play("s1", "203.0.113.5", mbit(2), minutes(10)), t0));
  StreamEvent watched = bare(StreamAction::watched, "s1");
  watched.remaining = minutes(20);
  ASSERT_TRUE(book.apply(watched, t0 + minutes(9)));
  EXPECT_EQ(book.find("s1")->expires, t0 + minutes(34));
  EXPECT_EQ(book.reserved_upload(), mbit(2));
}

TEST(ReservationBookTest, LocalViewersAreRecordedButReserveNothing) {
  ReservationBook book(settings());
  ASSERT_TRUE(book.apply(play("lan", "192.168.1.20", mbit(10)), t0));
  StreamEvent marked = play("marked", "203.0.113.9", mbit(10));
  marked.lan = true;
  ASSERT_TRUE(book.apply(marked, t0));
  ASSERT_TRUE(book.apply(play("ula", "fd00::20", mbit(10)), t0));
  EXPECT_EQ(book.reservations().size(), 3u);
  for (const Reservation& reservation : book.reservations()) {
    EXPECT_EQ(reservation.state, ReservationState::local) << reservation.id;
  }
  EXPECT_EQ(book.reserved_upload(), Rate());
  EXPECT_FALSE(book.client_targets());
}

TEST(ReservationBookTest, Ipv6AndMappedViewers) {
  ReservationBook book(settings());
  ASSERT_TRUE(book.apply(play("v6", "2001:db8::5", mbit(3)), t0));
  ASSERT_TRUE(book.apply(play("mapped", "::ffff:198.51.100.4", mbit(4)), t0));
  const auto streams = book.active_streams();
  ASSERT_EQ(streams.size(), 2u);
  EXPECT_EQ(streams[0].remote, *parse_cidr("198.51.100.4/32"));  // "mapped" < "v6"
  EXPECT_EQ(streams[1].remote, *parse_cidr("2001:db8::5/128"));
  EXPECT_EQ(book.find("mapped")->remote_ip, "198.51.100.4");
}

TEST(ReservationBookTest, NewSessionWithoutAddressOrRateIsRefusedAndChangesNothing) {
  ReservationBook book(settings());
  const auto no_ip = book.apply(play("s1", "", mbit(3)), t0);
  ASSERT_FALSE(no_ip);
  EXPECT_EQ(no_ip.error().rfind("ip:", 0), 0u) << no_ip.error();
  StreamEvent no_rate = play("s1", "203.0.113.5", mbit(1));
  no_rate.upload.reset();
  const auto refused = book.apply(no_rate, t0);
  ASSERT_FALSE(refused);
  EXPECT_EQ(refused.error().rfind("upload:", 0), 0u) << refused.error();
  EXPECT_FALSE(book.apply(play("s1", "not-an-ip", mbit(3)), t0));
  EXPECT_TRUE(book.reservations().empty());
}

TEST(ReservationBookTest, UnknownSessionStopPauseWatchedAreHarmless) {
  ReservationBook book(settings());
  EXPECT_TRUE(book.apply(bare(StreamAction::stop, "nope"), t0));
  EXPECT_TRUE(book.apply(bare(StreamAction::pause, "nope"), t0));
  EXPECT_TRUE(book.apply(bare(StreamAction::watched, "nope"), t0));
  EXPECT_TRUE(book.reservations().empty());
}

TEST(ReservationBookTest, LimitsThatWouldGoNegativeOrReachZeroStopAtTheMinimum) {
  ReservationBook book(settings());
  ASSERT_TRUE(book.apply(play("exact", "203.0.113.5", mbit(50)), t0));
  EXPECT_EQ(book.client_targets()->upload, mbit(1));  // 50 − 50 would be 0 = unlimited
  ASSERT_TRUE(book.apply(play("over", "203.0.113.6", mbit(80)), t0));
  EXPECT_EQ(book.client_targets()->upload, mbit(1));
  EXPECT_EQ(book.client_targets()->download, mbit(361));
}

TEST(ReservationBookTest, MissingLinkRateLeavesThatDirectionAlone) {
  ReservationsConfig config = settings();
  config.link_download.reset();
  ReservationBook book(config);
  ASSERT_TRUE(book.apply(play("s1", "203.0.113.5", mbit(10)), t0));
  EXPECT_EQ(book.client_targets(), (ClientTargets{mbit(40), std::nullopt}));
}

TEST(ReservationBookTest, RestoreKeepsExpiryAndAppliesTodaysLocalNetworks) {
  ReservationBook first(settings());
  ASSERT_TRUE(first.apply(play("b", "203.0.113.5", mbit(10)), t0));
  ASSERT_TRUE(first.apply(play("a", "10.1.2.3", mbit(10)), t0));
  ReservationsConfig config = settings();
  config.local_networks.push_back(*parse_cidr("10.0.0.0/8"));
  ReservationBook second(config);
  second.restore(first.reservations());
  EXPECT_EQ(second.find("b")->expires, first.find("b")->expires);
  EXPECT_EQ(second.find("a")->state, ReservationState::local);
  EXPECT_EQ(second.reserved_upload(), mbit(10));
}

// A reload that drops a local network makes its viewers reserve again; one
// Tautulli marked `lan` stays local whatever the networks say.
TEST(ReservationBookTest, RestoreUnderNewLocalNetworksJudgesEachViewerAgain) {
  ReservationsConfig config = settings();
  config.local_networks.push_back(*parse_cidr("10.0.0.0/8"));
  ReservationBook first(config);
  ASSERT_TRUE(first.apply(play("office", "10.1.2.3", mbit(4)), t0));
  StreamEvent lan = play("lan", "203.0.113.9", mbit(6));
  lan.lan = true;
  ASSERT_TRUE(first.apply(lan, t0));
  ASSERT_EQ(first.reserved_upload(), Rate());
  ReservationBook second(settings());
  second.restore(first.reservations());
  EXPECT_EQ(second.find("office")->state, ReservationState::active);
  EXPECT_EQ(second.find("lan")->state, ReservationState::local);
  EXPECT_EQ(second.reserved_upload(), mbit(4));
}

TEST(ReservationBookTest, RestoreUnderANewFactorKeepsAGivenDownloadAndAPause) {
  ReservationBook first(settings());
  ASSERT_TRUE(first.apply(play("derived", "203.0.113.5", mbit(10)), t0));
  StreamEvent given = play("given", "203.0.113.6", mbit(10));
  given.download = mbit(1);
  ASSERT_TRUE(first.apply(given, t0));
  ASSERT_TRUE(first.apply(play("paused", "192.168.1.20", mbit(10)), t0));
  ASSERT_TRUE(first.apply(play("paused", "203.0.113.7", mbit(10)), t0));
  ASSERT_TRUE(first.apply(bare(StreamAction::pause, "paused"), t0));
  ReservationsConfig config = settings();
  config.download_factor = 0.5;
  ReservationBook second(config);
  second.restore(first.reservations());
  EXPECT_EQ(second.find("derived")->download, mbit(5));
  EXPECT_EQ(second.find("given")->download, mbit(1));
  EXPECT_EQ(second.find("paused")->state, ReservationState::paused);
  EXPECT_EQ(second.reserved_download(), mbit(6));
  // A later rate change without a download goes back to the factor.
  StreamEvent change = play("given", "", mbit(8));
  change.action = StreamAction::change;
  ASSERT_TRUE(second.apply(change, t0));
  EXPECT_EQ(second.find("given")->download, mbit(4));
}

}  // namespace
}  // namespace nettoll
