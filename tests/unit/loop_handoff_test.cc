// SPDX-License-Identifier: Apache-2.0
#include "api/loop_handoff.h"

#include <gtest/gtest.h>
#include <poll.h>

#include <atomic>
#include <thread>

namespace nettoll {
namespace {

using namespace std::chrono_literals;

// Plays the daemon's loop: waits (bounded) for the handoff's fd, then runs
// what is queued.
void run_loop_once(LoopHandoff& handoff) {
  pollfd waiting{handoff.fd(), POLLIN, 0};
  ASSERT_EQ(poll(&waiting, 1, 5000), 1);
  handoff.run_pending();
}

TEST(LoopHandoff, RunsTheCallOnTheLoopThreadAndReturnsItsAnswer) {
  auto handoff = LoopHandoff::create();
  ASSERT_TRUE(handoff.ok()) << handoff.error();
  std::thread::id ran_on;
  ApiResponse answer;
  std::thread caller([&] {
    answer = (*handoff)->call(
        [&] {
          ran_on = std::this_thread::get_id();
          return ApiResponse{201, {{"ok", true}}};
        },
        5s);
  });
  run_loop_once(**handoff);
  caller.join();
  EXPECT_EQ(ran_on, std::this_thread::get_id());
  EXPECT_EQ(answer.status, 201);
}

TEST(LoopHandoff, ACallTheLoopNeverStartedTimesOutAndNeverRuns) {
  auto handoff = LoopHandoff::create();
  ASSERT_TRUE(handoff.ok());
  bool ran = false;
  const ApiResponse answer = (*handoff)->call([&] { return ran = true, ApiResponse{}; }, 10ms);
  EXPECT_EQ(answer.status, 503);
  (*handoff)->run_pending();  // the loop comes back: the abandoned call is dropped
  EXPECT_FALSE(ran);
}

TEST(LoopHandoff, AFullQueueIsAnswered503AtOnce) {
  auto handoff = LoopHandoff::create(1);
  ASSERT_TRUE(handoff.ok());
  std::atomic<int> ran{0};
  std::thread first([&] { (*handoff)->call([&] { return ++ran, ApiResponse{}; }, 5s); });
  // Wait (bounded) until the first call is queued: the fd turns readable.
  pollfd waiting{(*handoff)->fd(), POLLIN, 0};
  ASSERT_EQ(poll(&waiting, 1, 5000), 1);
  EXPECT_EQ((*handoff)->call([&] { return ++ran, ApiResponse{}; }, 5s).status, 503);
  (*handoff)->run_pending();
  first.join();
  EXPECT_EQ(ran, 1);
}

TEST(LoopHandoff, CloseAnswersWaitingCallsWithoutRunningThem) {
  auto handoff = LoopHandoff::create();
  ASSERT_TRUE(handoff.ok());
  bool ran = false;
  ApiResponse answer;
  std::thread caller([&] { answer = (*handoff)->call([&] { return ran = true, ApiResponse{}; }, 5s); });
  pollfd waiting{(*handoff)->fd(), POLLIN, 0};
  ASSERT_EQ(poll(&waiting, 1, 5000), 1);
  (*handoff)->close();
  caller.join();
  EXPECT_EQ(answer.status, 503);
  EXPECT_FALSE(ran);
  EXPECT_EQ((*handoff)->call([] { return ApiResponse{}; }, 5s).status, 503);
}

}  // namespace
}  // namespace nettoll
