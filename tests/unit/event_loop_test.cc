// SPDX-License-Identifier: Apache-2.0
// EventLoop timers: rescheduling a timer from its own callback (the daemon's
// refresh does) must not free the running callback. Under AddressSanitizer
// (scripts/run-tests' sanitizer step) a use after free here fails the test.
#include "daemon/event_loop.h"

#include <gtest/gtest.h>
#include <sys/eventfd.h>
#include <unistd.h>

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

void poke(int fd) {
  const uint64_t one = 1;
  ASSERT_EQ(write(fd, &one, sizeof one), static_cast<ssize_t>(sizeof one));
}

// The reservation service's eventfd goes with the service on a reload: the
// loop lets go of it before it is closed, and a new descriptor that gets
// the same number is watched (and called) as itself.
TEST(EventLoopTest, StoppedDescriptorIsNotCalledAndItsNumberCanBeWatchedAgain) {
  auto loop = make_loop();
  ASSERT_TRUE(loop);
  add_guard(*loop);
  const int old_fd = eventfd(0, EFD_NONBLOCK | EFD_CLOEXEC);
  ASSERT_GE(old_fd, 0);
  int old_calls = 0;
  ASSERT_TRUE(loop->on_readable(old_fd, [&] { ++old_calls; }));
  loop->stop_watching(old_fd);
  poke(old_fd);
  close(old_fd);
  const int new_fd = eventfd(0, EFD_NONBLOCK | EFD_CLOEXEC);
  ASSERT_EQ(new_fd, old_fd) << "the kernel gives the lowest free number";
  int new_calls = 0;
  ASSERT_TRUE(loop->on_readable(new_fd, [&] {
    uint64_t count = 0;
    ASSERT_EQ(read(new_fd, &count, sizeof count), static_cast<ssize_t>(sizeof count));
    ++new_calls;
    loop->exit(0);
  }));
  poke(new_fd);
  EXPECT_EQ(loop->run(), 0);
  EXPECT_EQ(old_calls, 0);
  EXPECT_EQ(new_calls, 1);
  loop->stop_watching(new_fd);
  close(new_fd);
}

TEST(EventLoopTest, WatchingTheSameNumberTwiceFailsUntilTheFirstIsStopped) {
  auto loop = make_loop();
  ASSERT_TRUE(loop);
  const int fd = eventfd(0, EFD_NONBLOCK | EFD_CLOEXEC);
  ASSERT_GE(fd, 0);
  ASSERT_TRUE(loop->on_readable(fd, [] {}));
  EXPECT_FALSE(loop->on_readable(fd, [] {}));
  loop->stop_watching(fd);
  EXPECT_TRUE(loop->on_readable(fd, [] {}));
  loop->stop_watching(fd);
  close(fd);
}

TEST(EventLoopTest, CancelledTimersDoNotFireAndOthersDo) {
  auto loop = make_loop();
  ASSERT_TRUE(loop);
  add_guard(*loop);
  std::vector<std::string> fired;
  ASSERT_TRUE(loop->after("clients: retry a", 5ms, [&] { fired.push_back("retry a"); }));
  ASSERT_TRUE(loop->after("clients: check", 5ms, [&] { fired.push_back("check"); }));
  ASSERT_TRUE(loop->after("follow-link", 5ms, [&] { fired.push_back("follow-link"); }));
  loop->cancel_timers("clients: ");
  ASSERT_TRUE(loop->after("end", 50ms, [&] { loop->exit(0); }));
  EXPECT_EQ(loop->run(), 0);
  EXPECT_EQ(fired, std::vector<std::string>{"follow-link"});
}

TEST(EventLoopTest, CancelledTimerCanBeStartedAgain) {
  auto loop = make_loop();
  ASSERT_TRUE(loop);
  add_guard(*loop);
  int count = 0;
  ASSERT_TRUE(loop->after("expiry", 5ms, [&] { count += 10; }));
  loop->cancel_timers("expiry");
  ASSERT_TRUE(loop->after("expiry", 5ms, [&] {
    ++count;
    loop->exit(0);
  }));
  EXPECT_EQ(loop->run(), 0);
  EXPECT_EQ(count, 1);
}

}  // namespace
}  // namespace nettoll
