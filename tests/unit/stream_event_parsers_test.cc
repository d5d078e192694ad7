// SPDX-License-Identifier: Apache-2.0
// Tautulli (webhook and script arguments), Jellyfin and API request bodies.
#include <gtest/gtest.h>

#include "core/jellyfin_hook.h"
#include "core/reservation_request.h"
#include "core/tautulli_hook.h"

namespace nettoll {
namespace {

using std::chrono::minutes;
using std::chrono::seconds;

bool starts_with(const std::string& text, std::string_view prefix) { return text.rfind(prefix, 0) == 0; }

TEST(TautulliWebhookTest, PlayFromStrings) {
  auto event = parse_tautulli_webhook(
      R"({"action":"play","session_id":"abc","ip_address":"203.0.113.5","stream_bandwidth":"10000",)"
      R"("remaining_duration":"42","remaining_duration_sec":"2530","stream_location":"wan"})");
  ASSERT_TRUE(event) << event.error();
  EXPECT_EQ(event->action, StreamAction::play);
  EXPECT_EQ(event->source, ReservationSource::tautulli);
  EXPECT_EQ(event->id, "abc");
  EXPECT_EQ(event->remote_ip, "203.0.113.5");
  EXPECT_EQ(event->upload, Rate::bits_per_second(10'000'000));
  EXPECT_EQ(event->remaining, Duration(seconds(2530)));  // the seconds win over the minutes
  EXPECT_FALSE(event->lan);
}

TEST(TautulliWebhookTest, MinutesWhenNoSecondsAndLanLocation) {
  auto event = parse_tautulli_webhook(
      R"({"action":"change","session_id":"abc","ip_address":"2001:db8::1","stream_bandwidth":"3500",)"
      R"("remaining_duration":"42","remaining_duration_sec":"","stream_location":"lan"})");
  ASSERT_TRUE(event) << event.error();
  EXPECT_EQ(event->action, StreamAction::change);
  EXPECT_EQ(event->remaining, Duration(minutes(42)));
  EXPECT_TRUE(event->lan);
}

TEST(TautulliWebhookTest, EmptyAndNotAvailableValuesAreAbsent) {
  auto event = parse_tautulli_webhook(
      R"({"action":"stop","session_id":"abc","ip_address":"N/A","stream_bandwidth":"",)"
      R"("remaining_duration":"N/A","remaining_duration_sec":"N/A","stream_location":""})");
  ASSERT_TRUE(event) << event.error();
  EXPECT_EQ(event->action, StreamAction::stop);
  EXPECT_EQ(event->remote_ip, "");
  EXPECT_FALSE(event->upload);
  EXPECT_FALSE(event->remaining);
}

TEST(TautulliWebhookTest, ErrorsNameTheField) {
  struct Case {
    const char* body;
    const char* prefix;
  };
  const Case cases[] = {
      {R"({"action":"play","session_id":"a","stream_bandwidth":10000})",
       "stream_bandwidth: expected a string"},
      {R"({"action":"play","session_id":"a","stream_bandwidth":"10 mbit"})",
       "stream_bandwidth: expected a whole"},
      {R"({"action":"play","session_id":"a","remaining_duration":"-3"})", "remaining_duration: expected"},
      {R"({"action":"play","session_id":"a","stream_location":"moon"})", "stream_location:"},
      {R"({"action":"buffer","session_id":"a"})", "action: unknown action 'buffer'"},
      {R"({"action":"play","session_id":"a","user":"bob"})", "user: unknown field"},
      {R"({"session_id":"a"})", "action: required"},
      {R"({"action":"play","session_id":""})", "session_id: required"},
      {R"({"action":"play",)", "malformed JSON"},
      {R"(["play"])", "expected a JSON object"},
  };
  for (const Case& c : cases) {
    auto event = parse_tautulli_webhook(c.body);
    ASSERT_FALSE(event) << c.body;
    EXPECT_TRUE(starts_with(event.error(), c.prefix)) << c.body << " -> " << event.error();
  }
}

TEST(TautulliArgumentsTest, ScriptArguments) {
  auto play = parse_tautulli_arguments({"-play", "203.0.113.5", "s1", "90", "8000"});
  ASSERT_TRUE(play) << play.error();
  ASSERT_TRUE(*play);
  EXPECT_EQ((*play)->action, StreamAction::play);
  EXPECT_EQ((*play)->remote_ip, "203.0.113.5");
  EXPECT_EQ((*play)->id, "s1");
  EXPECT_EQ((*play)->remaining, Duration(minutes(90)));
  EXPECT_EQ((*play)->upload, Rate::bits_per_second(8'000'000));

  auto stop = parse_tautulli_arguments({"-stop", "203.0.113.5", "s1"});
  ASSERT_TRUE(stop && *stop);
  EXPECT_EQ((*stop)->action, StreamAction::stop);

  auto pause = parse_tautulli_arguments({"-pause", "203.0.113.5", "s1", "N/A", ""});
  ASSERT_TRUE(pause && *pause) << pause.error();
  EXPECT_FALSE((*pause)->remaining);

  auto check = parse_tautulli_arguments({"-check"});
  ASSERT_TRUE(check);
  EXPECT_FALSE(*check);
}

TEST(TautulliArgumentsTest, BadArgumentsAreNamed) {
  EXPECT_TRUE(
      starts_with(parse_tautulli_arguments({"-play", "1.2.3.4", "s", "x", "1"}).error(), "DURATION:"));
  EXPECT_TRUE(
      starts_with(parse_tautulli_arguments({"-play", "1.2.3.4", "s", "1", "x"}).error(), "BANDWIDTH:"));
  EXPECT_TRUE(starts_with(parse_tautulli_arguments({"-frobnicate", "1.2.3.4", "s"}).error(), "action:"));
  EXPECT_TRUE(starts_with(parse_tautulli_arguments({"-play"}).error(), "usage:"));
  EXPECT_TRUE(starts_with(parse_tautulli_arguments({}).error(), "usage:"));
}

TEST(JellyfinWebhookTest, NotificationTypesMapToActions) {
  const Rate upload = Rate::bits_per_second(8'000'000);
  auto start = parse_jellyfin_webhook(
      R"({"NotificationType":"PlaybackStart","Id":"dev-item","RemoteEndPoint":"203.0.113.5","IsPaused":"False"})",
      upload);
  ASSERT_TRUE(start) << start.error();
  EXPECT_EQ(start->action, StreamAction::play);
  EXPECT_EQ(start->source, ReservationSource::jellyfin);
  EXPECT_EQ(start->upload, upload);
  EXPECT_EQ(start->remote_ip, "203.0.113.5");

  auto paused =
      parse_jellyfin_webhook(R"({"NotificationType":"PlaybackProgress","Id":"x","IsPaused":true})", upload);
  ASSERT_TRUE(paused) << paused.error();
  EXPECT_EQ(paused->action, StreamAction::pause);
  auto playing = parse_jellyfin_webhook(
      R"({"NotificationType":"PlaybackProgress","Id":"x","IsPaused":"false"})", upload);
  ASSERT_TRUE(playing) << playing.error();
  EXPECT_EQ(playing->action, StreamAction::resume);
  auto stop = parse_jellyfin_webhook(R"({"NotificationType":"PlaybackStop","Id":"x"})", std::nullopt);
  ASSERT_TRUE(stop) << stop.error();
  EXPECT_EQ(stop->action, StreamAction::stop);
}

TEST(JellyfinWebhookTest, TwoDevicesPlayingOneFilmAreTwoReservations) {
  const Rate upload = Rate::bits_per_second(8'000'000);
  auto tv = parse_jellyfin_webhook(
      R"({"NotificationType":"PlaybackStart","DeviceId":"tv","ItemId":"film","RemoteEndPoint":"203.0.113.5"})"
      R"()",
      upload);
  EXPECT_FALSE(tv) << "ItemId is not a field of the template";
  tv = parse_jellyfin_webhook(
      R"({"NotificationType":"PlaybackStart","DeviceId":"tv","RemoteEndPoint":"203.0.113.5"})", upload);
  auto phone = parse_jellyfin_webhook(
      R"({"NotificationType":"PlaybackStart","DeviceId":"phone","RemoteEndPoint":"203.0.113.6"})", upload);
  ASSERT_TRUE(tv) << tv.error();
  ASSERT_TRUE(phone) << phone.error();
  EXPECT_EQ(tv->id, "tv");
  EXPECT_EQ(phone->id, "phone");
  EXPECT_FALSE(parse_jellyfin_webhook(R"({"NotificationType":"PlaybackStop","DeviceId":""})", upload));
}

TEST(JellyfinWebhookTest, ErrorsNameTheField) {
  const Rate upload = Rate::bits_per_second(8'000'000);
  EXPECT_TRUE(
      starts_with(parse_jellyfin_webhook(R"({"NotificationType":"ItemAdded","Id":"x"})", upload).error(),
                  "NotificationType: unknown"));
  EXPECT_TRUE(
      starts_with(parse_jellyfin_webhook(R"({"NotificationType":"PlaybackStart"})", upload).error(), "Id:"));
  EXPECT_TRUE(starts_with(
      parse_jellyfin_webhook(R"({"NotificationType":"PlaybackStop","Id":"x","Name":"y"})", upload).error(),
      "Name:"));
  EXPECT_TRUE(starts_with(
      parse_jellyfin_webhook(R"({"NotificationType":"PlaybackProgress","Id":"x","IsPaused":"maybe"})", upload)
          .error(),
      "IsPaused:"));
  EXPECT_TRUE(starts_with(
      parse_jellyfin_webhook(R"({"NotificationType":"PlaybackStart","Id":"x"})", std::nullopt).error(),
      "NotificationType: Jellyfin sends no bitrate"));
}

TEST(ReservationRequestTest, FullAndMinimalBodies) {
  auto full = parse_reservation_request(
      R"({"id":"r1","ip":"2001:db8::7","upload":"10mbit","download":"2mbit","duration":"2h"})");
  ASSERT_TRUE(full) << full.error();
  EXPECT_EQ(full->source, ReservationSource::api);
  EXPECT_EQ(full->action, StreamAction::play);
  EXPECT_EQ(full->upload, Rate::bits_per_second(10'000'000));
  EXPECT_EQ(full->download, Rate::bits_per_second(2'000'000));
  EXPECT_EQ(full->remaining, Duration(std::chrono::hours(2)));
  auto minimal = parse_reservation_request(R"({"id":"r1","ip":"203.0.113.5","upload":"1mbit"})");
  ASSERT_TRUE(minimal) << minimal.error();
  EXPECT_FALSE(minimal->download);
  EXPECT_FALSE(minimal->remaining);
}

TEST(ReservationRequestTest, ErrorsNameTheField) {
  struct Case {
    const char* body;
    const char* prefix;
  };
  const Case cases[] = {
      {R"({"ip":"203.0.113.5","upload":"1mbit"})", "id: required"},
      {R"({"id":"r","upload":"1mbit"})", "ip: required"},
      {R"({"id":"r","ip":"nowhere","upload":"1mbit"})", "ip: bad IP address"},
      {R"({"id":"r","ip":"203.0.113.5"})", "upload: required"},
      {R"({"id":"r","ip":"203.0.113.5","upload":10})", "upload: expected a string"},
      {R"({"id":"r","ip":"203.0.113.5","upload":"fast"})", "upload:"},
      {R"({"id":"r","ip":"203.0.113.5","upload":"1mbit","download":"0"})", "download:"},
      {R"({"id":"r","ip":"203.0.113.5","upload":"1mbit","duration":"soon"})", "duration:"},
      {R"({"id":"r","ip":"203.0.113.5","upload":"1mbit","prio":1})", "prio: unknown field"},
      {R"({"id":)", "malformed JSON"},
  };
  for (const Case& c : cases) {
    auto event = parse_reservation_request(c.body);
    ASSERT_FALSE(event) << c.body;
    EXPECT_TRUE(starts_with(event.error(), c.prefix)) << c.body << " -> " << event.error();
  }
}

}  // namespace
}  // namespace nettoll
