// SPDX-License-Identifier: Apache-2.0
// EventLoop timers: rescheduling a timer from its own callback (the daemon's
// refresh does) must not free the running callback. Under AddressSanitizer
// (scripts/run-tests' sanitizer step) a use after free here fails the test.
#include "daemon/event_loop.h"

#include <gtest/gtest.h>

#include <functional>
#include <memory>
#include <string>
#include <vector>

namespace nettoll {
namespace {

using namespace std::chrono_literals;

std::unique_ptr<EventLoop> make_loop() {
  auto loop = EventLoop::create(false);
  EXPECT_TRUE(loop) << loop.error();
  return loop ? std::move(*loop) : nullptr;
}

// Bounds every test: a timer that never fires fails it instead of hanging.
void add_guard(EventLoop& loop) {
  ASSERT_TRUE(loop.after("guard", 5s, [&loop] { loop.exit(1); }));
}

TEST(EventLoopTest, TimerReschedulesItselfFromItsOwnCallback) {
  auto loop = make_loop();
  ASSERT_TRUE(loop);
  add_guard(*loop);
  std::vector<std::string> seen;
  std::function<void(int)> schedule = [&](int round) {
    // The capture lives in the callback's own storage: read after rescheduling.
    const std::string label(64, static_cast<char>('a' + round));
    ASSERT_TRUE(loop->after("tick", 1ms, [&, round, label] {
      if (round < 3) schedule(round + 1);
      seen.push_back(label);
      if (round == 3) loop->exit(0);
    }));
  };
  schedule(0);
  EXPECT_EQ(loop->run(), 0);
  ASSERT_EQ(seen.size(), 4u);
  for (int round = 0; round < 4; ++round) EXPECT_EQ(seen[round], std::string(64, 'a' + round));
}

TEST(EventLoopTest, LaterCallForTheSameNameReplacesAPendingTimer) {
  auto loop = make_loop();
  ASSERT_TRUE(loop);
  add_guard(*loop);
  std::vector<std::string> fired;
  ASSERT_TRUE(loop->after("debounce", 20ms, [&] { fired.push_back("first"); }));
  ASSERT_TRUE(loop->after("debounce", 1ms, [&] { fired.push_back("second"); }));
  ASSERT_TRUE(loop->after("end", 60ms, [&] { loop->exit(0); }));
  EXPECT_EQ(loop->run(), 0);
  EXPECT_EQ(fired, std::vector<std::string>{"second"});
}

TEST(EventLoopTest, FiredTimerCanBeStartedAgain) {
  auto loop = make_loop();
  ASSERT_TRUE(loop);
  add_guard(*loop);
  int count = 0;
  ASSERT_TRUE(loop->after("once", 1ms, [&] {
    ++count;
    ASSERT_TRUE(loop->after("again", 1ms, [&] {
      ASSERT_TRUE(loop->after("once", 1ms, [&] {
        ++count;
        loop->exit(0);
      }));
    }));
  }));
  EXPECT_EQ(loop->run(), 0);
  EXPECT_EQ(count, 2);
}

}  // namespace
}  // namespace nettoll
