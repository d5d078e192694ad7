// SPDX-License-Identifier: Apache-2.0
// The reservation book and the client limiter against the real torrent
// clients from Debian, each in a namespace of its own (loopback only).
#include <gtest/gtest.h>

#include <filesystem>

#include "clients/client_factory.h"
#include "clients/client_limiter.h"
#include "core/reservation_book.h"
#include "daemon/state_file.h"
#include "fake_limiter_timer.h"
#include "inline_client_calls.h"
#include "testbed.h"
#include "torrent_client_process.h"

namespace nettoll::testing {
namespace {

using std::chrono::minutes;
using std::chrono::seconds;

constexpr uint64_t kMbit = 1'000'000;
// The user's own limits before any stream: 8000 KiB/s up, download unlimited
// (also in each client's config, so a restarted client comes back with them).
const ClientLimits kUserLimits{{Rate::bytes_per_second(8'192'000), true}, {Rate(), false}, {}, {}, false};

ReservationsConfig book_settings() {
  ReservationsConfig config;
  config.local_networks = {*parse_cidr("192.168.0.0/16")};
  config.link_upload = Rate::bits_per_second(50 * kMbit);
  config.link_download = Rate::bits_per_second(400 * kMbit);
  return config;
}

StreamEvent play(const std::string& id, const std::string& ip, uint64_t kbits) {
  StreamEvent event;
  event.source = ReservationSource::tautulli;
  event.id = id;
  event.remote_ip = ip;
  event.upload = Rate::bits_per_second(kbits * 1000);
  event.remaining = minutes(30);
  return event;
}

StreamEvent stop(const std::string& id) {
  StreamEvent event;
  event.action = StreamAction::stop;
  event.id = id;
  return event;
}

class TorrentClientsTest : public ::testing::TestWithParam<RealClient> {
 protected:
  void SetUp() override {
    if (!running_as_root()) GTEST_SKIP() << "needs root (network namespaces)";
    testbed_ = std::make_unique<Testbed>();
    ASSERT_EQ(testbed_->setup_error(), "");
    directory_ = std::filesystem::temp_directory_path() /
                 ("nettoll-clients-" + std::to_string(getpid()) + "-" + to_string(GetParam()));
    std::filesystem::remove_all(directory_);
    process_ =
        std::make_unique<TorrentClientProcess>(GetParam(), testbed_->namespace_a(), directory_ / "client");
    ASSERT_NE(process_->program(), "")
        << to_string(GetParam()) << " is not installed: run scripts/install-deps";
    inside_ = std::make_unique<ScopedNetworkNamespace>(testbed_->namespace_a());
    ASSERT_EQ(inside_->error(), "");
    state_file_ = std::make_unique<StateFile>((directory_ / "state" / "state.json").string());
    start_client();
    auto client = make_torrent_client(process_->config());
    ASSERT_TRUE(client) << client.error();
    ASSERT_TRUE((*client)->set_limits(kUserLimits));  // the user's own settings
    user_limits_ = read_client();  // with the client's own alternative-mode limits, if it has any
    ASSERT_EQ(user_limits_.upload, (*client)->stored_form(kUserLimits).upload);
    ASSERT_EQ(user_limits_.download, (*client)->stored_form(kUserLimits).download);
  }

  void TearDown() override {
    limiter_.reset();
    process_.reset();
    inside_.reset();
    testbed_.reset();
    std::filesystem::remove_all(directory_);
  }

  void start_client() {
    process_->start();
    auto ready = process_->wait_until_ready();
    ASSERT_TRUE(ready) << ready.error();
  }

  ClientLimits read_client() {
    auto limits = process_->read_limits();
    EXPECT_TRUE(limits) << limits.error();
    return limits ? *limits : ClientLimits{};
  }

  void make_limiter() {
    std::vector<std::unique_ptr<TorrentClient>> clients;
    clients.push_back(make_torrent_client(process_->config()).value());
    limiter_ = std::make_unique<ClientLimiter>(
        std::move(clients), calls_, timer_,
        [this](const std::map<std::string, ClientLimits>& originals) {
          StateDocument state{book_.reservations(), originals};
          return state_file_->save(state);
        },
        [this](const std::string& message) { log_.push_back(message); });
  }

  // What the daemon does after every event: persist, then bring the clients in line.
  void apply(const StreamEvent& event, WallTime now) {
    ASSERT_TRUE(book_.apply(event, now));
    ASSERT_TRUE(state_file_->save({book_.reservations(), limiter_->originals()}));
    limiter_->set_targets(book_.client_targets());
  }

  uint64_t upload_bytes() { return read_client().upload.rate.bytes_per_second(); }

  std::unique_ptr<Testbed> testbed_;
  std::filesystem::path directory_;
  std::unique_ptr<TorrentClientProcess> process_;
  std::unique_ptr<ScopedNetworkNamespace> inside_;
  std::unique_ptr<StateFile> state_file_;
  ClientLimits user_limits_;
  ReservationBook book_{book_settings()};
  InlineClientCalls calls_;  // the calls run at once: the test reads the client right after
  FakeLimiterTimer timer_;
  std::unique_ptr<ClientLimiter> limiter_;
  std::vector<std::string> log_;
  const WallTime t0_ = std::chrono::system_clock::now();
};

TEST_P(TorrentClientsTest, StreamsLowerTheLimitsAndStopRestoresThemExactly) {
  make_limiter();
  apply(play("local", "192.168.1.20", 10000), t0_);
  EXPECT_EQ(read_client(), user_limits_) << "a local viewer changes nothing";

  apply(play("s1", "203.0.113.5", 10000), t0_);
  EXPECT_EQ(upload_bytes(), in_client_unit(GetParam(), 40 * kMbit));
  const ClientLimits lowered = read_client();
  EXPECT_TRUE(lowered.download.enabled);
  EXPECT_EQ(lowered.download.rate.bytes_per_second(), in_client_unit(GetParam(), 397 * kMbit));

  apply(play("s2", "198.51.100.9", 5000), t0_ + seconds(5));
  EXPECT_EQ(upload_bytes(), in_client_unit(GetParam(), 35 * kMbit)) << "two streams add up";

  apply(stop("s2"), t0_ + seconds(10));
  EXPECT_EQ(upload_bytes(), in_client_unit(GetParam(), 40 * kMbit));
  apply(stop("s1"), t0_ + seconds(15));
  EXPECT_EQ(read_client(), user_limits_);
  EXPECT_TRUE(limiter_->originals().empty());
  EXPECT_TRUE(state_file_->load()->original_limits.empty());
}

TEST_P(TorrentClientsTest, ExpiryRestoresWithoutAnyEvent) {
  make_limiter();
  apply(play("s1", "203.0.113.5", 10000), t0_);
  EXPECT_EQ(upload_bytes(), in_client_unit(GetParam(), 40 * kMbit));
  const WallTime expiry = *book_.next_expiry();
  ASSERT_EQ(book_.expire(expiry), std::vector<std::string>{"s1"});
  limiter_->set_targets(book_.client_targets());
  EXPECT_EQ(read_client(), user_limits_);
}

TEST_P(TorrentClientsTest, RestartFromTheStateFileKeepsTheReservationAndLaterRestores) {
  make_limiter();
  apply(play("s1", "203.0.113.5", 10000), t0_);
  limiter_.reset();  // as SIGKILL: nothing restored
  timer_.pending.clear();
  EXPECT_EQ(upload_bytes(), in_client_unit(GetParam(), 40 * kMbit));

  auto saved = state_file_->load();
  ASSERT_TRUE(saved) << saved.error();
  book_ = ReservationBook(book_settings());
  book_.restore(saved->reservations);
  make_limiter();
  limiter_->load_originals(saved->original_limits);
  limiter_->set_targets(book_.client_targets());
  ASSERT_NE(book_.find("s1"), nullptr);
  EXPECT_EQ(upload_bytes(), in_client_unit(GetParam(), 40 * kMbit));

  apply(stop("s1"), t0_ + seconds(20));
  EXPECT_EQ(read_client(), user_limits_);
}

TEST_P(TorrentClientsTest, ClientStoppedDuringAReservationIsBroughtInLineWhenBack) {
  make_limiter();
  apply(play("s1", "203.0.113.5", 10000), t0_);
  process_->kill();
  apply(play("s2", "198.51.100.9", 5000), t0_ + seconds(5));
  ASSERT_EQ(timer_.pending.count("client-retry " + limiter_->originals().begin()->first), 1u);
  ASSERT_FALSE(log_.empty());
  start_client();
  ASSERT_TRUE(timer_.fire("client-retry " + limiter_->originals().begin()->first));
  EXPECT_EQ(upload_bytes(), in_client_unit(GetParam(), 35 * kMbit));
  apply(stop("s1"), t0_ + seconds(10));
  apply(stop("s2"), t0_ + seconds(10));
  EXPECT_EQ(read_client().upload, user_limits_.upload);
}

INSTANTIATE_TEST_SUITE_P(RealClients, TorrentClientsTest,
                         ::testing::Values(RealClient::rtorrent_tcp, RealClient::rtorrent_unix,
                                           RealClient::transmission, RealClient::qbittorrent),
                         [](const auto& param_info) { return to_string(param_info.param); });

}  // namespace
}  // namespace nettoll::testing
