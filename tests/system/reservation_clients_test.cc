// SPDX-License-Identifier: Apache-2.0
// Reservations through the running daemon with the real torrent clients
// (rTorrent over SCGI, transmission-daemon) in the test's namespace: a
// Tautulli play of 10000 kbit/s from a remote viewer lowers their upload to
// link-upload − 10 Mbit/s in each client's unit, stop restores the user's
// limits exactly, also across a SIGKILL of the daemon; Jellyfin's webhook
// does the same with `jellyfin.default-upload`; and a client that never
// answers delays neither the API nor the other client.
#include <poll.h>
#include <signal.h>

#include "api_fixture.h"
#include "daemon/bpf_path.h"
#include "torrent_clients.h"

namespace nettoll::testing {
namespace {

constexpr int kRtorrentPort = 5000;
constexpr int kTransmissionPort = 9091;
constexpr int kSilentPort = 5999;
constexpr int kRtorrentUploadKib = 8000;     // the user's own limits
constexpr int kTransmissionUploadKb = 7000;  // kB = 1000 bytes in Transmission 3.00
// 50 Mbit/s link − 10 Mbit/s reserved = 5,000,000 B/s: whole KiB for rTorrent, kB for Transmission.
const Rate kRtorrentLowered = Rate::bytes_per_second(4882 * 1024);
const Rate kTransmissionLowered = Rate::bytes_per_second(5'000'000);

class ReservationClientsTest : public ApiFixture {
 protected:
  void SetUp() override {
    ApiFixture::SetUp();
    if (IsSkipped() || HasFatalFailure()) return;
    rtorrent_config_.type = ClientType::rtorrent;
    rtorrent_config_.scgi = "127.0.0.1:" + std::to_string(kRtorrentPort);
    transmission_config_.type = ClientType::transmission;
    transmission_config_.url = "http://127.0.0.1:" + std::to_string(kTransmissionPort) + "/transmission/rpc";
  }
  void TearDown() override {
    ApiFixture::TearDown();  // the daemon first: it restores, then the clients go
    rtorrent_.reset();
    transmission_.reset();
  }

  void start_clients() {
    rtorrent_ = start_rtorrent(*testbed_, directory_ + "/rtorrent", kRtorrentPort, kRtorrentUploadKib);
    transmission_ =
        start_transmission(*testbed_, directory_ + "/transmission", kTransmissionPort, kTransmissionUploadKb);
    ASSERT_TRUE(testbed_->wait_for_listener(testbed_->namespace_a(), kRtorrentPort, 10s))
        << rtorrent_->output();
    ASSERT_TRUE(testbed_->wait_for_listener(testbed_->namespace_a(), kTransmissionPort, 10s))
        << transmission_->output();
    auto rtorrent = client_limits(*testbed_, rtorrent_config_);
    ASSERT_TRUE(rtorrent) << rtorrent.error();
    rtorrent_user_ = *rtorrent;
    ASSERT_EQ(rtorrent_user_.upload.rate, Rate::bytes_per_second(kRtorrentUploadKib * 1024));
    ASSERT_TRUE(eventually([&] { return client_limits(*testbed_, transmission_config_).ok(); }, 10s));
    transmission_user_ = *client_limits(*testbed_, transmission_config_);
    ASSERT_EQ(transmission_user_.upload,
              (SpeedLimit{Rate::bytes_per_second(kTransmissionUploadKb * 1000), true}));
  }

  std::string config(const std::string& rtorrent_scgi = "") const {
    const std::string scgi = rtorrent_scgi.empty() ? rtorrent_config_.scgi : rtorrent_scgi;
    return "upload: 50mbit\ndownload: 100mbit\n" + reservations_config() +
           "  local-networks: [192.168.0.0/16]\n  link-upload: 50mbit\n  link-download: 100mbit\n"
           "  jellyfin:\n    default-upload: 10mbit\n  clients:\n"
           "    - {type: rtorrent, scgi: " +
           scgi + "}\n    - {type: transmission, url: " + transmission_config_.url + "}\n";
  }

  bool client_upload_is(const TorrentClientConfig& client, Rate rate) const {
    return eventually(
        [&] {
          auto limits = client_limits(*testbed_, client);
          return limits && limits->upload.enabled && limits->upload.rate == rate;
        },
        10s);
  }
  bool clients_restored() const {
    return eventually(
        [&] {
          auto rtorrent = client_limits(*testbed_, rtorrent_config_);
          auto transmission = client_limits(*testbed_, transmission_config_);
          return rtorrent && transmission && *rtorrent == rtorrent_user_ &&
                 *transmission == transmission_user_;
        },
        10s);
  }

  // `sent` answered 200 and both clients reach their lowered upload.
  void expect_lowered_after(const httplib::Result& sent) const {
    ASSERT_TRUE(sent);
    ASSERT_EQ(sent->status, 200) << sent->body;
    EXPECT_TRUE(client_upload_is(rtorrent_config_, kRtorrentLowered)) << daemon_->output();
    EXPECT_TRUE(client_upload_is(transmission_config_, kTransmissionLowered)) << daemon_->output();
  }
  // `sent` answered 200 and both clients are back at the user's limits.
  void expect_restored_after(const httplib::Result& sent) const {
    ASSERT_TRUE(sent);
    ASSERT_EQ(sent->status, 200) << sent->body;
    EXPECT_TRUE(clients_restored()) << daemon_->output();
  }

  httplib::Result tautulli(const std::string& action, const std::string& session) const {
    return tcp(
        "POST", "/v1/hooks/tautulli", with_token(),
        R"({"action": ")" + action + R"(", "session_id": ")" + session +
            R"(", "ip_address": "203.0.113.5", "stream_bandwidth": "10000", "remaining_duration": "90"})");
  }
  // The plugin's Generic destination sends its template as text/plain.
  httplib::Result jellyfin(const std::string& type, const std::string& device) const {
    ScopedNetworkNamespace inside(testbed_->namespace_a());
    httplib::Client client("127.0.0.1", kApiPort);
    client.set_read_timeout(10, 0);
    return client.Post("/v1/hooks/jellyfin", with_token(),
                       R"({"NotificationType": ")" + type + R"(", "DeviceId": ")" + device +
                           R"(", "RemoteEndPoint": "203.0.113.5", "IsPaused": "False"})",
                       "text/plain");
  }

  TorrentClientConfig rtorrent_config_, transmission_config_;
  ClientLimits rtorrent_user_, transmission_user_;
  std::unique_ptr<ChildProcess> rtorrent_, transmission_;
};

TEST_F(ReservationClientsTest, TautulliPlayLowersTheRealClientsAndStopRestoresThemExactly) {
  start_clients();
  start_daemon(config());
  expect_lowered_after(tautulli("play", "s1"));
  expect_restored_after(tautulli("stop", "s1"));
}

TEST_F(ReservationClientsTest, SigkillWhileThrottledThenRestartAndStopRestores) {
  start_clients();
  start_daemon(config());
  expect_lowered_after(tautulli("play", "s1"));
  if (HasFailure()) return;
  daemon_->signal(SIGKILL);
  ASSERT_TRUE(daemon_->wait_for_exit(5s));
  start_daemon(config());
  ASSERT_TRUE(daemon_->wait_for_output("kept from the state file", 5s)) << daemon_->output();
  expect_restored_after(tautulli("stop", "s1"));
}

TEST_F(ReservationClientsTest, DaemonStopRestoresTheClients) {
  start_clients();
  start_daemon(config());
  expect_lowered_after(tautulli("play", "s1"));
  if (HasFailure()) return;
  daemon_->signal(SIGTERM);
  const auto exit_code = daemon_->wait_for_exit(15s);
  ASSERT_TRUE(exit_code) << daemon_->output();
  EXPECT_EQ(*exit_code, 0) << daemon_->output();
  EXPECT_TRUE(clients_restored()) << daemon_->output();
}

TEST_F(ReservationClientsTest, JellyfinPlaybackStartAndStopMoveTheClients) {
  start_clients();
  start_daemon(config());
  expect_lowered_after(jellyfin("PlaybackStart", "tv-livingroom"));
  expect_restored_after(jellyfin("PlaybackStop", "tv-livingroom"));
}

// A TCP port in namespace A that takes connections and never answers.
int silent_listener(const Testbed& testbed, int port) {
  ScopedNetworkNamespace inside(testbed.namespace_a());
  const int fd = socket(AF_INET, SOCK_STREAM | SOCK_CLOEXEC, 0);
  sockaddr_in address = loopback_address(port);
  EXPECT_EQ(bind(fd, reinterpret_cast<sockaddr*>(&address), sizeof address), 0);
  EXPECT_EQ(listen(fd, 8), 0);
  return fd;
}

// The daemon's next connection to `listener`, or -1 after 10 s.
int accept_within(int listener) {
  pollfd readable{listener, POLLIN, 0};
  if (poll(&readable, 1, 10'000) != 1) return -1;
  return accept4(listener, nullptr, nullptr, SOCK_CLOEXEC);
}

// True while the daemon keeps `connection` open, i.e. is still waiting for
// the silent client's answer.
bool still_open(int connection) {
  pollfd hung_up{connection, POLLRDHUP, 0};
  return poll(&hung_up, 1, 0) == 0;
}

TEST_F(ReservationClientsTest, SilentClientDelaysNeitherTheApiNorTheOtherClient) {
  start_clients();
  const int listener = silent_listener(*testbed_, kSilentPort);
  start_daemon(config("127.0.0.1:" + std::to_string(kSilentPort)));
  auto played = tautulli("play", "s1");
  ASSERT_TRUE(played);
  ASSERT_EQ(played->status, 200) << played->body;
  const int connection = accept_within(listener);
  ASSERT_GE(connection, 0) << daemon_->output();
  // While the daemon waits for the silent client (up to its 1.5 s timeout):
  auto status = over_unix("GET", "/v1/status");
  ASSERT_TRUE(status);
  EXPECT_EQ(status->status, 200);
  EXPECT_TRUE(still_open(connection)) << "the status waited for the silent client";
  EXPECT_TRUE(client_upload_is(transmission_config_, kTransmissionLowered)) << daemon_->output();
  close(connection);
  close(listener);
}

}  // namespace
}  // namespace nettoll::testing
