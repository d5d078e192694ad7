// SPDX-License-Identifier: Apache-2.0
#include "clients/client_threads.h"

#include <gtest/gtest.h>
#include <poll.h>

#include <atomic>
#include <future>

#include "clients/client_limiter.h"
#include "fake_torrent_client.h"

namespace nettoll {
namespace {

using std::chrono::milliseconds;

// A client that answers nothing until the test lets it: a silent server.
class SilentClient : public FakeTorrentClient {
 public:
  SilentClient(FakeClientState& state, std::shared_future<void> answer)
      : FakeTorrentClient("silent", state), answer_(std::move(answer)) {}
  Result<ClientLimits> read_limits() override {
    ++reads;
    answer_.wait();
    return FakeTorrentClient::read_limits();
  }
  static inline std::atomic<int> reads{0};

 private:
  std::shared_future<void> answer_;
};

// Runs the threads' finished work on this thread (the loop's part) until
// `done` holds or 10 s pass.
bool run_until(ClientThreads& threads, const std::function<bool()>& done) {
  const auto deadline = std::chrono::steady_clock::now() + std::chrono::seconds(10);
  while (!done()) {
    if (std::chrono::steady_clock::now() > deadline) return false;
    pollfd readable{threads.fd(), POLLIN, 0};
    if (poll(&readable, 1, 100) > 0) threads.run_done();
  }
  return true;
}

class NoTimer : public LimiterTimer {
 public:
  void after(const std::string&, milliseconds, std::function<void()>) override {}
};

TEST(ClientThreadsTest, SilentClientDelaysNeitherTheCallerNorAnotherClient) {
  SilentClient::reads = 0;
  std::promise<void> answer;
  FakeClientState silent_state, other_state;
  silent_state.limits.upload = other_state.limits.upload = {Rate::bytes_per_second(10'000 * 1024), true};
  std::vector<std::unique_ptr<TorrentClient>> clients;
  clients.push_back(std::make_unique<SilentClient>(silent_state, answer.get_future().share()));
  clients.push_back(std::make_unique<FakeTorrentClient>("other", other_state));
  auto threads = ClientThreads::create(clients.size());
  ASSERT_TRUE(threads) << threads.error();
  NoTimer timer;
  std::map<std::string, ClientLimits> saved;
  ClientLimiter limiter(
      std::move(clients), **threads, timer,
      [&](const std::map<std::string, ClientLimits>& originals) -> Result<void> {
        saved = originals;
        return success();
      },
      [](const std::string&) {});

  // set_targets returns while the silent client has not answered at all.
  limiter.set_targets(ClientTargets{Rate::bits_per_second(40'000'000), std::nullopt});
  const Rate lowered = Rate::bytes_per_second(4882 * 1024);
  // The other client is lowered while the silent one is inside its call.
  ASSERT_TRUE(run_until(
      **threads, [&] { return other_state.limits.upload.rate == lowered && SilentClient::reads == 1; }));
  EXPECT_EQ(silent_state.sets, 0);
  EXPECT_FALSE(limiter.holds("silent"));

  // Once it answers it is brought into line like the other.
  answer.set_value();
  ASSERT_TRUE(run_until(**threads, [&] { return silent_state.limits.upload.rate == lowered; }));
  EXPECT_EQ(saved.size(), 2u);

  // Stop: both restored, waiting for no loop.
  EXPECT_TRUE(limiter.restore_all());
  EXPECT_EQ(silent_state.limits.upload.rate, Rate::bytes_per_second(10'000 * 1024));
  EXPECT_EQ(other_state.limits.upload.rate, Rate::bytes_per_second(10'000 * 1024));
  EXPECT_TRUE(saved.empty());
}

TEST(ClientThreadsTest, FinishIsBoundedWhenAClientNeverAnswers) {
  std::promise<void> answer;
  FakeClientState state;
  SilentClient client(state, answer.get_future().share());
  auto threads = ClientThreads::create(1);
  ASSERT_TRUE(threads) << threads.error();
  bool done = false;
  (*threads)->run(
      0, [&] { (void)client.read_limits(); }, [&] { done = true; });
  EXPECT_FALSE((*threads)->finish(std::chrono::steady_clock::now() + milliseconds(50)));
  EXPECT_FALSE(done);
  answer.set_value();  // the adapters' timeouts end a real call; here the test does
  EXPECT_TRUE((*threads)->finish(std::chrono::steady_clock::now() + std::chrono::seconds(10)));
  EXPECT_TRUE(done);
}

}  // namespace
}  // namespace nettoll
