// SPDX-License-Identifier: Apache-2.0
// ProcessExitWatch tells "already exited" (ESRCH) from "could not watch"
// (EMFILE and the like): only the first may take a process's rule away.
#include "kernel/process_exit_watch.h"

#include <gtest/gtest.h>
#include <sys/resource.h>
#include <sys/wait.h>
#include <unistd.h>

namespace nettoll {
namespace {

TEST(ProcessExitWatchTest, ReapedProcessCountsAsExited) {
  auto watch = ProcessExitWatch::create();
  ASSERT_TRUE(watch) << watch.error();
  const pid_t child = ::fork();
  if (child == 0) ::_exit(0);
  ASSERT_GT(child, 0);
  ASSERT_EQ(::waitpid(child, nullptr, 0), child);
  auto watched = watch->watch(child);
  ASSERT_TRUE(watched) << watched.error();
  EXPECT_FALSE(*watched);
}

TEST(ProcessExitWatchTest, OutOfDescriptorsIsAnErrorNotAnExit) {
  auto watch = ProcessExitWatch::create();
  ASSERT_TRUE(watch) << watch.error();
  rlimit saved{};
  ASSERT_EQ(::getrlimit(RLIMIT_NOFILE, &saved), 0);
  // No descriptor above the ones open now can be created.
  const int next_fd = ::dup(0);
  ASSERT_GE(next_fd, 0);
  ::close(next_fd);
  rlimit lowered = saved;
  lowered.rlim_cur = static_cast<rlim_t>(next_fd);
  ASSERT_EQ(::setrlimit(RLIMIT_NOFILE, &lowered), 0);
  auto watched = watch->watch(::getpid());
  ASSERT_EQ(::setrlimit(RLIMIT_NOFILE, &saved), 0);
  ASSERT_FALSE(watched) << "a live process is not 'exited'";
  EXPECT_NE(watched.error().find("Too many open files"), std::string::npos) << watched.error();
  auto again = watch->watch(::getpid());
  ASSERT_TRUE(again) << again.error();
  EXPECT_TRUE(*again);
}

}  // namespace
}  // namespace nettoll
