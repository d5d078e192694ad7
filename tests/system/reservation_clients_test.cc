// SPDX-License-Identifier: Apache-2.0
// Reservations through the running daemon with the real torrent clients
// (rTorrent over SCGI, transmission-daemon, qbittorrent-nox) in the test's
// namespace: a Tautulli play of 10000 kbit/s from a remote viewer lowers
// their upload to link-upload − 10 Mbit/s in each client's unit, stop
// restores the user's limits exactly, also across a SIGKILL of the daemon;
// Jellyfin's webhook does the same with `jellyfin.default-upload`; a reload
// restores the clients it drops and lowers the ones it adds; and a client
// that never answers delays neither the API nor the other clients.
#include <poll.h>
#include <signal.h>

#include <fstream>
#include <map>
#include <nlohmann/json.hpp>

#include "api_fixture.h"
#include "torrent_client_process.h"

namespace nettoll::testing {
namespace {

constexpr int kSilentPort = 5999;
constexpr uint64_t kLoweredBits = 40'000'000;  // 50 Mbit/s link − 10 Mbit/s reserved
const std::vector<RealClient> kClients{RealClient::rtorrent_tcp, RealClient::transmission,
                                       RealClient::qbittorrent};

class ReservationClientsTest : public ApiFixture {
 protected:
  void TearDown() override {
    ApiFixture::TearDown();  // the daemon first: it restores, then the clients go
    clients_.clear();
  }

  void start_clients() {
    for (RealClient client : kClients) {
      auto process = std::make_unique<TorrentClientProcess>(client, testbed_->namespace_a(),
                                                            directory_ + "/" + to_string(client));
      ASSERT_NE(process->program(), "") << to_string(client) << " is not installed: run scripts/install-deps";
      process->start();
      clients_[client] = std::move(process);
    }
    for (RealClient client : kClients) {
      auto ready = clients_[client]->wait_until_ready();
      ASSERT_TRUE(ready) << ready.error();
      users_[client] = *clients_[client]->read_limits();
      ASSERT_TRUE(users_[client].upload.enabled) << to_string(client) << ": the user's own upload limit";
    }
  }

  // The clients: list, rtorrent at `rtorrent_scgi` when given.
  std::string clients_yaml(const std::vector<RealClient>& clients,
                           const std::string& rtorrent_scgi = "") const {
    std::string yaml = "  clients:\n";
    for (RealClient client : clients) {
      yaml += "    - " +
              (client == RealClient::rtorrent_tcp && !rtorrent_scgi.empty()
                   ? "{type: rtorrent, scgi: " + rtorrent_scgi + "}"
                   : clients_.at(client)->config_yaml()) +
              "\n";
    }
    return yaml;
  }

  std::string config(const std::vector<RealClient>& clients = kClients, const std::string& rtorrent_scgi = "",
                     const std::string& link_upload = "50mbit") const {
    return "upload: 50mbit\ndownload: 100mbit\n" + reservations_config() +
           "  local-networks: [192.168.0.0/16]\n  link-upload: " + link_upload +
           "\n  link-download: 100mbit\n  jellyfin:\n    default-upload: 10mbit\n" +
           clients_yaml(clients, rtorrent_scgi);
  }

  bool client_upload_is(RealClient client, uint64_t bits_per_second) const {
    const Rate wanted = Rate::bytes_per_second(in_client_unit(client, bits_per_second));
    return eventually(
        [&] {
          auto limits = clients_.at(client)->read_limits();
          return limits && limits->upload.enabled && limits->upload.rate == wanted;
        },
        10s);
  }
  bool client_restored(RealClient client) const {
    return eventually(
        [&] {
          auto limits = clients_.at(client)->read_limits();
          return limits && *limits == users_.at(client);
        },
        10s);
  }

  // `sent` answered 200 and `clients` reach their lowered upload.
  void expect_lowered_after(const httplib::Result& sent, const std::vector<RealClient>& clients = kClients,
                            uint64_t lowered_bits = kLoweredBits) const {
    ASSERT_TRUE(sent);
    ASSERT_EQ(sent->status, 200) << sent->body;
    for (RealClient client : clients) {
      EXPECT_TRUE(client_upload_is(client, lowered_bits)) << to_string(client) << "\n" << daemon_->output();
    }
  }
  // `sent` answered 200 and `clients` are back at the user's limits.
  void expect_restored_after(const httplib::Result& sent,
                             const std::vector<RealClient>& clients = kClients) const {
    ASSERT_TRUE(sent);
    ASSERT_EQ(sent->status, 200) << sent->body;
    for (RealClient client : clients) {
      EXPECT_TRUE(client_restored(client)) << to_string(client) << "\n" << daemon_->output();
    }
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
  // Writes `config` and reloads, as `systemctl reload` would.
  httplib::Result reload_with(const std::string& config) const {
    std::ofstream(config_path_) << config;
    return over_unix("POST", "/v1/reload");
  }

  std::map<RealClient, std::unique_ptr<TorrentClientProcess>> clients_;
  std::map<RealClient, ClientLimits> users_;  // the user's own limits, read at start
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
  for (RealClient client : kClients) {
    EXPECT_TRUE(client_restored(client)) << to_string(client) << "\n" << daemon_->output();
  }
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
  start_daemon(config(kClients, "127.0.0.1:" + std::to_string(kSilentPort)));
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
  for (RealClient other : {RealClient::transmission, RealClient::qbittorrent}) {
    EXPECT_TRUE(client_upload_is(other, kLoweredBits)) << to_string(other) << "\n" << daemon_->output();
  }
  close(connection);
  close(listener);
}

// A reload that swaps the clients: the one it drops gets its user's limits
// back, the ones it adds are lowered for the stream that is still playing,
// under the new link rate; removing the section restores them all.
TEST_F(ReservationClientsTest, AReloadRestoresDroppedClientsAndLowersNewOnes) {
  start_clients();
  start_daemon(config({RealClient::rtorrent_tcp}));
  expect_lowered_after(tautulli("play", "s1"), {RealClient::rtorrent_tcp});
  EXPECT_TRUE(client_restored(RealClient::transmission));
  if (HasFailure()) return;

  const std::vector<RealClient> others{RealClient::transmission, RealClient::qbittorrent};
  auto swapped = reload_with(config(others, "", "60mbit"));
  expect_lowered_after(swapped, others, 50'000'000);
  EXPECT_TRUE(client_restored(RealClient::rtorrent_tcp)) << daemon_->output();

  expect_restored_after(reload_with("upload: 50mbit\ndownload: 100mbit\n"), others);
  EXPECT_TRUE(client_restored(RealClient::rtorrent_tcp));
  const auto state = nlohmann::json::parse(std::ifstream(state_path_));
  EXPECT_TRUE(state["reservations"].empty()) << state.dump();
  EXPECT_TRUE(state["original_limits"].empty()) << state.dump();
}

}  // namespace
}  // namespace nettoll::testing
