// SPDX-License-Identifier: Apache-2.0
#include "clients/client_limiter.h"

#include <gtest/gtest.h>

#include "fake_torrent_client.h"
#include "inline_client_calls.h"

namespace nettoll {
namespace {

Rate mbit(uint64_t n) { return Rate::bits_per_second(n * 1'000'000); }
Rate kib(uint64_t n) { return Rate::bytes_per_second(n * 1024); }

class ClientLimiterTest : public ::testing::Test {
 protected:
  ClientLimiterTest() {
    user.upload = {kib(10'000), true};  // ~82 Mbit/s
    user.download = {Rate(), false};    // unlimited
    state.limits = user;
  }

  std::unique_ptr<ClientLimiter> make_limiter() {
    std::vector<std::unique_ptr<TorrentClient>> clients;
    clients.push_back(std::make_unique<FakeTorrentClient>("fake", state));
    return std::make_unique<ClientLimiter>(
        std::move(clients), calls, timer,
        [this](const std::map<std::string, ClientLimits>& originals) -> Result<void> {
          if (disk_full) return Error{"No space left on device"};
          saved = originals;
          ++saves;
          return success();
        },
        [this](const std::string& message) { log.push_back(message); });
  }

  ClientLimits user;
  FakeClientState state;
  InlineClientCalls calls;
  FakeLimiterTimer timer;
  std::map<std::string, ClientLimits> saved;
  int saves = 0;
  bool disk_full = false;
  std::vector<std::string> log;
};

TEST_F(ClientLimiterTest, RecordsBeforeLoweringAndRestoresExactly) {
  auto limiter = make_limiter();
  limiter->set_targets(ClientTargets{mbit(40), mbit(397)});
  ASSERT_EQ(saved.count("fake"), 1u);
  EXPECT_EQ(saved["fake"], user);
  EXPECT_EQ(state.limits.upload, (SpeedLimit{kib(4882), true}));  // 5 MB/s in whole KiB
  EXPECT_EQ(state.limits.download, (SpeedLimit{kib(48461), true}));
  limiter->set_targets(std::nullopt);
  EXPECT_EQ(state.limits, user);
  EXPECT_TRUE(saved.empty());
  EXPECT_FALSE(limiter->holds("fake"));
}

TEST_F(ClientLimiterTest, NeverRaisesTheUsersOwnLowerLimit) {
  user.upload = {kib(100), true};
  state.limits = user;
  auto limiter = make_limiter();
  limiter->set_targets(ClientTargets{mbit(40), std::nullopt});
  EXPECT_EQ(state.limits.upload, user.upload);
  EXPECT_EQ(state.limits.download, user.download);
}

TEST_F(ClientLimiterTest, SecondTargetKeepsTheFirstOriginals) {
  auto limiter = make_limiter();
  limiter->set_targets(ClientTargets{mbit(40), std::nullopt});
  limiter->set_targets(ClientTargets{mbit(30), std::nullopt});
  EXPECT_EQ(saved["fake"], user);
  EXPECT_EQ(state.limits.upload.rate, kib(3662));
  limiter->set_targets(std::nullopt);
  EXPECT_EQ(state.limits, user);
}

TEST_F(ClientLimiterTest, UserChangeWhileLoweredBecomesTheOriginal) {
  auto limiter = make_limiter();
  limiter->set_targets(ClientTargets{mbit(40), mbit(100)});
  state.limits.download = {kib(2000), true};  // the user sets a download limit meanwhile
  ASSERT_TRUE(timer.fire("client-check"));
  EXPECT_EQ(saved["fake"].download, (SpeedLimit{kib(2000), true}));
  EXPECT_EQ(saved["fake"].upload, user.upload);
  limiter->set_targets(std::nullopt);
  EXPECT_EQ(state.limits.upload, user.upload);
  EXPECT_EQ(state.limits.download, (SpeedLimit{kib(2000), true}));
}

TEST_F(ClientLimiterTest, ClientDownIsRetriedWithBackoffAndBroughtInLine) {
  state.down = true;
  auto limiter = make_limiter();
  limiter->set_targets(ClientTargets{mbit(40), std::nullopt});
  ASSERT_EQ(timer.pending.count("client-retry fake"), 1u);
  EXPECT_EQ(timer.pending["client-retry fake"].delay, std::chrono::milliseconds(1000));
  ASSERT_TRUE(timer.fire("client-retry fake"));
  EXPECT_EQ(timer.pending["client-retry fake"].delay, std::chrono::milliseconds(2000));
  EXPECT_FALSE(log.empty());
  EXPECT_NE(log.back().find("connection refused"), std::string::npos);
  state.down = false;
  ASSERT_TRUE(timer.fire("client-retry fake"));
  EXPECT_EQ(state.limits.upload.rate, kib(4882));
  EXPECT_EQ(timer.pending.count("client-retry fake"), 0u);
}

TEST_F(ClientLimiterTest, RestartedClientIsLoweredAgainAtTheNextCheck) {
  auto limiter = make_limiter();
  limiter->set_targets(ClientTargets{mbit(40), std::nullopt});
  state.limits = user;  // rTorrent restarted with its .rtorrent.rc limits
  ASSERT_TRUE(timer.fire("client-check"));
  EXPECT_EQ(state.limits.upload.rate, kib(4882));
  EXPECT_EQ(saved["fake"], user);
}

TEST_F(ClientLimiterTest, NoChangeWhenTheOriginalsCannotBeRecorded) {
  disk_full = true;
  auto limiter = make_limiter();
  limiter->set_targets(ClientTargets{mbit(40), std::nullopt});
  EXPECT_EQ(state.limits, user);
  EXPECT_EQ(state.sets, 0);
  EXPECT_FALSE(limiter->holds("fake"));
  disk_full = false;
  ASSERT_TRUE(timer.fire("client-retry fake"));
  EXPECT_EQ(state.limits.upload.rate, kib(4882));
}

TEST_F(ClientLimiterTest, RestartFromTheStateFileRestores) {
  auto first = make_limiter();
  first->set_targets(ClientTargets{mbit(40), std::nullopt});
  const auto recorded = saved;
  first.reset();  // SIGKILL: no restore
  timer.pending.clear();
  auto second = make_limiter();
  second->load_originals(recorded);
  second->set_targets(std::nullopt);
  EXPECT_EQ(state.limits, user);
  EXPECT_TRUE(saved.empty());
}

TEST_F(ClientLimiterTest, RestoreAllKeepsTheOriginalsOfAClientThatIsDown) {
  auto limiter = make_limiter();
  limiter->set_targets(ClientTargets{mbit(40), std::nullopt});
  state.down = true;
  EXPECT_FALSE(limiter->restore_all());
  EXPECT_EQ(saved["fake"], user);
  state.down = false;
  EXPECT_TRUE(limiter->restore_all());
  EXPECT_EQ(state.limits, user);
}

// A reload hands the limiter over: the next one keeps the originals, and a
// user's change made while lowered is still told from ours.
TEST_F(ClientLimiterTest, HandoverKeepsTheOriginalsAndWhatWasSet) {
  auto first = make_limiter();
  first->set_targets(ClientTargets{mbit(40), mbit(100)});
  const LimiterHandover handover = first->hand_over();
  EXPECT_EQ(handover.originals.at("fake"), user);
  ASSERT_EQ(handover.applied.count("fake"), 1u);
  first.reset();
  timer.pending.clear();
  state.limits.download = {kib(2000), true};  // the user, between the two
  auto second = make_limiter();
  second->take_over(handover);
  second->set_targets(ClientTargets{mbit(30), mbit(100)});
  EXPECT_EQ(saved["fake"].download, (SpeedLimit{kib(2000), true}));
  EXPECT_EQ(state.limits.upload.rate, kib(3662));
  second->set_targets(std::nullopt);
  EXPECT_EQ(state.limits.upload, user.upload);
  EXPECT_EQ(state.limits.download, (SpeedLimit{kib(2000), true}));
}

// A client the reloaded config drops is restored, and stays restored while
// the other clients are lowered.
TEST_F(ClientLimiterTest, RetiringClientIsRestoredAndNeverLoweredAgain) {
  auto first = make_limiter();
  first->set_targets(ClientTargets{mbit(40), std::nullopt});
  const LimiterHandover handover = first->hand_over();
  first.reset();
  timer.pending.clear();
  state.down = true;  // and it is down at the reload: retried
  auto second = make_limiter();
  second->take_over(handover);
  second->retire("fake");
  second->set_targets(ClientTargets{mbit(30), std::nullopt});
  EXPECT_TRUE(second->holds("fake"));
  state.down = false;
  ASSERT_TRUE(timer.fire("client-retry fake"));
  EXPECT_EQ(state.limits, user);
  EXPECT_FALSE(second->holds("fake"));
  EXPECT_TRUE(saved.empty());
  const int sets = state.sets;
  ASSERT_TRUE(timer.fire("client-check"));
  EXPECT_EQ(state.sets, sets);
  EXPECT_EQ(state.limits, user);
}

TEST_F(ClientLimiterTest, AlternativeModeLowersTheAlternativeLimits) {
  user.alternative_mode = true;
  user.alternative_upload = SpeedLimit{kib(500), true};
  user.alternative_download = SpeedLimit{kib(800), false};
  state.limits = user;
  auto limiter = make_limiter();
  limiter->set_targets(ClientTargets{mbit(2), mbit(5)});
  EXPECT_EQ(state.limits.upload, user.upload);
  EXPECT_EQ(state.limits.alternative_upload, (SpeedLimit{Rate::bytes_per_second(250'000), true}));
  EXPECT_EQ(state.limits.alternative_download, (SpeedLimit{Rate::bytes_per_second(625'000), true}));
  limiter->set_targets(std::nullopt);
  EXPECT_EQ(state.limits, user);
}

}  // namespace
}  // namespace nettoll
