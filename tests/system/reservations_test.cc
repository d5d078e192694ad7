// SPDX-License-Identifier: Apache-2.0
// Reservations through the daemon in a namespace testbed: Tautulli's webhook
// gives a remote viewer's stream a class of its own in the upload tree (and
// the download tree), a viewer on a local network changes nothing, stop and
// expiry remove it, and a reservation survives SIGKILL and a restart.
#include <signal.h>

#include <fstream>
#include <nlohmann/json.hpp>
#include <thread>

#include "api_fixture.h"
#include "tc_text.h"

namespace nettoll::testing {
namespace {

class ReservationsTest : public ApiFixture {
 protected:
  void SetUp() override { ApiFixture::SetUp(); }

  std::string config() const {
    return "upload: 50mbit\ndownload: 100mbit\n" + reservations_config() +
           "  local-networks: [192.168.0.0/16]\n  margin: 20ms\n";
  }

  static std::string play(const std::string& ip, const std::string& session, const std::string& kbits,
                          const std::string& minutes = "90") {
    return R"({"action": "play", "session_id": ")" + session + R"(", "ip_address": ")" + ip +
           R"(", "stream_bandwidth": ")" + kbits + R"(", "remaining_duration": ")" + minutes +
           R"(", "stream_location": "wan"})";
  }

  // Ids of the classes on `device` whose rate is `bits` per second.
  std::vector<std::string> classes_with_rate(const std::string& device, uint64_t bits) const {
    std::vector<std::string> ids;
    for (const auto& [id, c] : parse_tc_classes(testbed_->run_in_a("tc class show dev " + device).output)) {
      if (c.rate_bits == bits) ids.push_back(id);
    }
    return ids;
  }

  // Waits (bounded) until `device` has `count` classes of rate `bits`.
  bool wait_for_classes(const std::string& device, uint64_t bits, size_t count,
                        std::chrono::seconds limit) const {
    const auto deadline = std::chrono::steady_clock::now() + limit;
    while (std::chrono::steady_clock::now() < deadline) {
      if (classes_with_rate(device, bits).size() == count) return true;
      std::this_thread::sleep_for(50ms);
    }
    return false;
  }

  httplib::Result hook(const std::string& body) const {
    return tcp("POST", "/v1/hooks/tautulli", with_token(), body);
  }

  // Writes `config` and reloads through the unix socket; the HTTP status.
  int reload_with(const std::string& config) const {
    std::ofstream(config_path_) << config;
    auto reloaded = over_unix("POST", "/v1/reload");
    return reloaded ? reloaded->status : -1;
  }

  std::string reservation_state(const std::string& id) const {
    auto listed = over_unix("GET", "/v1/reservations");
    if (!listed || listed->status != 200) return "no list";
    const nlohmann::json body = nlohmann::json::parse(listed->body);
    for (const auto& r : body["reservations"]) {
      if (r["id"] == id) return r["state"];
    }
    return "not in " + listed->body;
  }
};

constexpr uint64_t kStreamBits = 10'000'000;  // 10000 kbit/s

TEST_F(ReservationsTest, WebhookPlayFromARemoteViewerGetsAClassAndStopRemovesIt) {
  start_daemon(config());
  auto played = hook(play("203.0.113.5", "s1", "10000"));
  ASSERT_TRUE(played);
  ASSERT_EQ(played->status, 200) << played->body;
  EXPECT_TRUE(wait_for_classes("vA", kStreamBits, 1, 5s))
      << testbed_->run_in_a("tc class show dev vA").output;
  EXPECT_TRUE(wait_for_classes("ntb-vA", 3'000'000, 1, 5s)) << "download = 30% of the upload";
  const CommandOutput shown = run_command(nettoll_binary() + " status --socket " + socket_path_);
  EXPECT_NE(shown.output.find("203.0.113.5"), std::string::npos) << shown.output;
  EXPECT_NE(shown.output.find("stream 203.0.113.5/32 rate 10mbit"), std::string::npos)
      << "status shows the stream's class: " << shown.output;

  auto stopped = hook(R"({"action": "stop", "session_id": "s1", "ip_address": "203.0.113.5"})");
  ASSERT_TRUE(stopped);
  EXPECT_EQ(stopped->status, 200) << stopped->body;
  EXPECT_TRUE(wait_for_classes("vA", kStreamBits, 0, 5s));
}

TEST_F(ReservationsTest, ALocalViewerChangesNothing) {
  start_daemon(config());
  const std::string before = testbed_->run_in_a("tc class show dev vA").output;
  auto played = hook(play("192.168.1.20", "s2", "10000"));
  ASSERT_TRUE(played);
  EXPECT_EQ(played->status, 200) << played->body;
  EXPECT_EQ(testbed_->run_in_a("tc class show dev vA").output, before);
}

TEST_F(ReservationsTest, BadHooksChangeNothing) {
  start_daemon(config());
  const std::string before = testbed_->run_in_a("tc class show dev vA").output;
  auto unknown = hook(R"({"action": "explode", "session_id": "s", "ip_address": "203.0.113.5"})");
  ASSERT_TRUE(unknown);
  EXPECT_EQ(unknown->status, 400);
  EXPECT_NE(unknown->body.find("action"), std::string::npos) << unknown->body;
  auto typo = hook(R"({"action": "play", "sesion_id": "s", "ip_address": "203.0.113.5"})");
  ASSERT_TRUE(typo);
  EXPECT_EQ(typo->status, 400);
  EXPECT_NE(typo->body.find("sesion_id"), std::string::npos) << typo->body;
  EXPECT_EQ(testbed_->run_in_a("tc class show dev vA").output, before);
}

TEST_F(ReservationsTest, ACliReservationExpiresWithoutAnyEvent) {
  start_daemon(config());
  const CommandOutput reserved = run_command(nettoll_binary() + " reserve --socket " + socket_path_ +
                                             " --ip 203.0.113.7 --upload 10mbit --duration 2s --id short");
  ASSERT_EQ(reserved.exit_status, 0) << reserved.output;
  EXPECT_TRUE(wait_for_classes("vA", kStreamBits, 1, 5s));
  EXPECT_TRUE(wait_for_classes("vA", kStreamBits, 0, 15s)) << daemon_->output();
  EXPECT_NE(daemon_->output().find("reservation short expired"), std::string::npos) << daemon_->output();
}

TEST_F(ReservationsTest, TheTautulliDropInAndReleaseWorkThroughTheCli) {
  start_daemon(config());
  const std::string cli = nettoll_binary() + " ";
  CommandOutput played =
      run_command(cli + "tautulli --socket " + socket_path_ + " -play 203.0.113.9 s9 90 10000");
  ASSERT_EQ(played.exit_status, 0) << played.output;
  EXPECT_TRUE(wait_for_classes("vA", kStreamBits, 1, 5s));
  EXPECT_EQ(run_command(cli + "tautulli -check 203.0.113.9 s9").exit_status, 0);
  CommandOutput released = run_command(cli + "release --socket " + socket_path_ + " s9");
  EXPECT_EQ(released.exit_status, 0) << released.output;
  EXPECT_TRUE(wait_for_classes("vA", kStreamBits, 0, 5s));
  EXPECT_EQ(run_command(cli + "release --socket " + socket_path_ + " s9").exit_status, 1) << "gone";
}

TEST_F(ReservationsTest, AReservationSurvivesSigkillAndARestart) {
  start_daemon(config());
  auto played = hook(play("203.0.113.5", "s1", "10000"));
  ASSERT_TRUE(played);
  ASSERT_TRUE(wait_for_classes("vA", kStreamBits, 1, 5s));
  daemon_->signal(SIGKILL);
  ASSERT_TRUE(daemon_->wait_for_exit(5s));
  start_daemon(config());
  ASSERT_TRUE(daemon_->wait_for_output("kept from the state file", 5s)) << daemon_->output();
  EXPECT_TRUE(wait_for_classes("vA", kStreamBits, 1, 5s));
  auto listed = over_unix("GET", "/v1/reservations");
  ASSERT_TRUE(listed);
  EXPECT_NE(listed->body.find("203.0.113.5"), std::string::npos) << listed->body;
}

// A reload rebuilds the reservations: the stream stays, judged under the
// new local-networks; a bad section changes nothing; a section removed takes
// the streams' classes and the endpoints with it.
TEST_F(ReservationsTest, AReloadKeepsTheStreamsUnderTheNewSectionAndARemovedOneEndsThem) {
  start_daemon(config());
  auto played = hook(play("10.1.2.3", "s1", "10000"));
  ASSERT_TRUE(played);
  ASSERT_EQ(played->status, 200) << played->body;
  ASSERT_TRUE(wait_for_classes("vA", kStreamBits, 1, 5s));

  const std::string office_local = "upload: 50mbit\ndownload: 100mbit\n" + reservations_config() +
                                   "  local-networks: [192.168.0.0/16, 10.0.0.0/8]\n  margin: 20ms\n";
  ASSERT_EQ(reload_with(office_local), 200) << daemon_->output();
  EXPECT_TRUE(wait_for_classes("vA", kStreamBits, 0, 5s)) << daemon_->output();
  EXPECT_EQ(reservation_state("s1"), "local");

  ASSERT_EQ(reload_with(config()), 200) << daemon_->output();
  EXPECT_TRUE(wait_for_classes("vA", kStreamBits, 1, 5s)) << "10.1.2.3 is remote again";
  EXPECT_TRUE(wait_for_classes("ntb-vA", 3'000'000, 1, 5s));
  EXPECT_EQ(reservation_state("s1"), "active");

  const std::string before = testbed_->run_in_a("tc class show dev vA").output;
  EXPECT_EQ(reload_with(config() + "  download-factor: lots\n"), 400);
  EXPECT_EQ(reservation_state("s1"), "active");
  EXPECT_EQ(testbed_->run_in_a("tc class show dev vA").output, before);
  auto still = hook(play("203.0.113.5", "s2", "10000"));
  ASSERT_TRUE(still);
  EXPECT_EQ(still->status, 200) << "the hooks still work: " << still->body;
  EXPECT_TRUE(wait_for_classes("vA", kStreamBits, 2, 5s));

  ASSERT_EQ(reload_with("upload: 50mbit\ndownload: 100mbit\n"), 200) << daemon_->output();
  EXPECT_TRUE(wait_for_classes("vA", kStreamBits, 0, 5s)) << daemon_->output();
  EXPECT_TRUE(wait_for_classes("ntb-vA", 3'000'000, 0, 5s));
  auto gone = over_unix("GET", "/v1/reservations");
  ASSERT_TRUE(gone);
  EXPECT_EQ(gone->status, 404) << gone->body;
  EXPECT_TRUE(nlohmann::json::parse(std::ifstream(state_path_))["reservations"].empty());

  ASSERT_EQ(reload_with(config()), 200) << daemon_->output();
  auto back =
      over_unix("POST", "/v1/reservations", R"({"id": "r1", "ip": "203.0.113.8", "upload": "10mbit"})");
  ASSERT_TRUE(back);
  EXPECT_EQ(back->status, 201) << "a section added by a reload serves at once: " << back->body;
  EXPECT_TRUE(wait_for_classes("vA", kStreamBits, 1, 5s));
}

}  // namespace
}  // namespace nettoll::testing
