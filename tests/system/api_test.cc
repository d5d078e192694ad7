// SPDX-License-Identifier: Apache-2.0
// The HTTP API of `nettoll daemon` in a namespace testbed: the root-only unix
// socket needs no token; loopback TCP (reservations: api) needs the bearer
// token and a loopback Host; bad bodies get 400 and change nothing; stalled
// clients never delay others or the loop.
#include <poll.h>
#include <sys/stat.h>

#include <atomic>
#include <thread>

#include "api_fixture.h"

namespace nettoll::testing {
namespace {

using ApiTest = ApiFixture;

TEST_F(ApiTest, UnixSocketIsRootOnlyAndNeedsNoToken) {
  start_daemon("interface: auto\n");
  struct stat info {};
  ASSERT_EQ(stat(socket_path_.c_str(), &info), 0);
  EXPECT_EQ(info.st_mode & 0777, 0600u);
  ASSERT_EQ(stat((directory_ + "/run").c_str(), &info), 0);
  EXPECT_EQ(info.st_mode & 0777, 0700u);
  auto answer = over_unix("GET", "/v1/status");
  ASSERT_TRUE(answer) << httplib::to_string(answer.error());
  EXPECT_EQ(answer->status, 200);
  EXPECT_NE(answer->body.find("watching vA"), std::string::npos) << answer->body;
  const CommandOutput shown = run_command(nettoll_binary() + " status --socket " + socket_path_ + " 2>&1");
  EXPECT_EQ(shown.exit_status, 0) << shown.output;
  EXPECT_NE(shown.output.find("watching vA"), std::string::npos) << shown.output;
}

TEST_F(ApiTest, WithoutAReservationsSectionThereIsNoTcpListener) {
  start_daemon("interface: auto\n");
  auto answer = tcp("GET", "/v1/status", {});
  EXPECT_FALSE(answer) << "nothing listens on 127.0.0.1:7657";
  EXPECT_FALSE(std::filesystem::exists(token_path_));
}

TEST_F(ApiTest, AnApiSectionOpensTcpWithoutReservations) {
  start_daemon("api:\n  token-file: " + token_path_ + "\n");
  auto metrics = tcp("GET", "/metrics", {});
  ASSERT_TRUE(metrics) << daemon_->output();
  EXPECT_EQ(metrics->status, 200);
  auto without = tcp("GET", "/v1/status", {});
  ASSERT_TRUE(without);
  EXPECT_EQ(without->status, 401);
  auto right = tcp("GET", "/v1/status", with_token());
  ASSERT_TRUE(right);
  EXPECT_EQ(right->status, 200);
  EXPECT_EQ(right->body.find("\"reservations\""), std::string::npos) << "no reservation service";
}

TEST_F(ApiTest, TcpNeedsTheTokenCreatedAtFirstStart) {
  start_daemon(reservations_config());
  struct stat info {};
  ASSERT_EQ(stat(token_path_.c_str(), &info), 0) << daemon_->output();
  EXPECT_EQ(info.st_mode & 0777, 0600u);
  EXPECT_EQ(token().size(), 64u);

  auto without = tcp("GET", "/v1/status", {});
  ASSERT_TRUE(without);
  EXPECT_EQ(without->status, 401);
  EXPECT_EQ(without->get_header_value("WWW-Authenticate"), "Bearer");
  auto wrong = tcp("GET", "/v1/status", {{"Authorization", "Bearer not-the-token"}});
  ASSERT_TRUE(wrong);
  EXPECT_EQ(wrong->status, 401);
  auto right = tcp("GET", "/v1/status", with_token());
  ASSERT_TRUE(right);
  EXPECT_EQ(right->status, 200);
  EXPECT_NE(right->body.find("watching vA"), std::string::npos) << right->body;
}

TEST_F(ApiTest, TcpRefusesANonLoopbackHostEvenWithTheToken) {
  start_daemon(reservations_config());
  auto headers = with_token();
  headers.emplace("Host", "rebind.example:7657");
  auto answer = tcp("GET", "/v1/status", headers);
  ASSERT_TRUE(answer);
  EXPECT_EQ(answer->status, 403);
  EXPECT_NE(answer->body.find("rebind.example"), std::string::npos) << answer->body;
}

TEST_F(ApiTest, BadRequestsGet400WithAMessageAndChangeNothing) {
  start_daemon(reservations_config());
  const std::string huge(70 * 1024, ' ');
  auto too_big = tcp("POST", "/v1/reload", with_token(), "{\"a\": \"" + huge + "\"}");
  ASSERT_TRUE(too_big);
  EXPECT_EQ(too_big->status, 400);
  EXPECT_NE(too_big->body.find("64 KiB"), std::string::npos) << too_big->body;
  auto malformed = tcp("POST", "/v1/reload", with_token(), "{\"unterminated\": ");
  ASSERT_TRUE(malformed);
  EXPECT_EQ(malformed->status, 400);
  EXPECT_NE(malformed->body.find("not valid JSON"), std::string::npos) << malformed->body;
  auto with_body = tcp("POST", "/v1/reload", with_token(), R"({"now": true})");
  ASSERT_TRUE(with_body);
  EXPECT_EQ(with_body->status, 400);
  auto unknown = tcp("GET", "/v1/nothing", with_token());
  ASSERT_TRUE(unknown);
  EXPECT_EQ(unknown->status, 404);
  EXPECT_EQ(daemon_->output().find("reloading"), std::string::npos) << "no refused request reloaded";
}

TEST_F(ApiTest, ReloadAnswersWithChecksMessages) {
  start_daemon(reservations_config());
  std::ofstream(config_path_) << reservations_config() << "upload: 10 parsecs\n";
  auto rejected = over_unix("POST", "/v1/reload");
  ASSERT_TRUE(rejected);
  EXPECT_EQ(rejected->status, 400);
  EXPECT_NE(rejected->body.find(config_path_ + ":3:9: upload: bad rate"), std::string::npos)
      << rejected->body;
  EXPECT_EQ(testbed_->run_in_a("tc qdisc show dev vA").output.find("htb"), std::string::npos);
  std::ofstream(config_path_) << reservations_config() << "upload: 10mbit\n";
  auto applied = tcp("POST", "/v1/reload", with_token());
  ASSERT_TRUE(applied);
  EXPECT_EQ(applied->status, 200) << applied->body;
  EXPECT_NE(testbed_->run_in_a("tc qdisc show dev vA").output.find("htb 7a:"), std::string::npos);
}

// True while the server has not closed `fd` (no EOF waiting on it).
bool still_open(int fd) {
  pollfd waiting{fd, POLLIN, 0};
  if (poll(&waiting, 1, 0) == 0) return true;
  char byte;
  return recv(fd, &byte, 1, MSG_DONTWAIT | MSG_PEEK) != 0;
}

TEST_F(ApiTest, AStalledClientDelaysNoOtherClient) {
  start_daemon(reservations_config());
  // Trickles its headers a byte at a time, so the server's read timeout
  // never fires: the connection holds its thread for as long as it likes.
  const int slow = stalled_client();
  std::atomic<bool> done{false};
  std::thread trickle([&] {
    for (int i = 0; i < 200 && !done; ++i) {
      send(slow, "X", 1, MSG_NOSIGNAL);
      std::this_thread::sleep_for(100ms);
    }
  });
  const int silent =
      stalled_client("POST /v1/reload HTTP/1.1\r\nHost: 127.0.0.1\r\nContent-Length: 100\r\n\r\n{");
  auto answer = tcp("GET", "/v1/status", with_token());
  const bool slow_still_open = still_open(slow);
  done = true;
  trickle.join();
  ASSERT_TRUE(answer);
  EXPECT_EQ(answer->status, 200);
  EXPECT_TRUE(slow_still_open) << "the status was answered while the slow client held its connection";
  close(slow);
  close(silent);
  EXPECT_EQ(daemon_->output().find("reloading"), std::string::npos) << "the half request did nothing";
}

TEST_F(ApiTest, AFloodOfStalledTcpClientsLeavesTheUnixSocketAndTheLoopFree) {
  start_daemon(reservations_config());
  std::vector<int> stalled;
  for (int i = 0; i < 12; ++i) stalled.push_back(stalled_client());
  // Every TCP thread is taken; the root-only socket has threads of its own
  // and the loop answers it.
  auto answer = over_unix("GET", "/v1/status");
  ASSERT_TRUE(answer);
  EXPECT_EQ(answer->status, 200);
  for (int fd : stalled) close(fd);
  // Once they are gone, TCP serves again.
  auto later = tcp("GET", "/v1/status", with_token());
  ASSERT_TRUE(later);
  EXPECT_EQ(later->status, 200);
}

}  // namespace
}  // namespace nettoll::testing
