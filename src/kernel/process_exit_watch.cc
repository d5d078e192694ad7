// SPDX-License-Identifier: Apache-2.0
#include "kernel/process_exit_watch.h"

#include <sys/epoll.h>
#include <sys/syscall.h>
#include <unistd.h>

#include <array>
#include <cerrno>
#include <cstring>
#include <string>
#include <utility>

namespace nettoll {

Result<ProcessExitWatch> ProcessExitWatch::create() {
  const int fd = ::epoll_create1(EPOLL_CLOEXEC);
  if (fd < 0)
    return Error{std::string("cannot create an epoll set for process exits: ") + std::strerror(errno)};
  return ProcessExitWatch(fd);
}

ProcessExitWatch::~ProcessExitWatch() {
  for (const auto& [pid, pidfd] : pidfds_) ::close(pidfd);
  if (epoll_fd_ >= 0) ::close(epoll_fd_);
}

ProcessExitWatch::ProcessExitWatch(ProcessExitWatch&& other) noexcept
    : epoll_fd_(std::exchange(other.epoll_fd_, -1)), pidfds_(std::move(other.pidfds_)) {
  other.pidfds_.clear();
}

Result<bool> ProcessExitWatch::watch(pid_t pid) {
  if (pidfds_.contains(pid)) return true;
  const int pidfd = int(::syscall(SYS_pidfd_open, pid, 0));
  if (pidfd < 0 && errno == ESRCH) return false;
  if (pidfd < 0)
    return Error{"cannot watch process " + std::to_string(pid) + " for its exit: " + std::strerror(errno)};
  // A pidfd is readable once the whole process (every thread) has exited.
  epoll_event event{};
  event.events = EPOLLIN;
  event.data.u64 = static_cast<uint64_t>(pid);
  if (::epoll_ctl(epoll_fd_, EPOLL_CTL_ADD, pidfd, &event) != 0) {
    const int error = errno;
    ::close(pidfd);
    return Error{"cannot watch process " + std::to_string(pid) + " for its exit: " + std::strerror(error)};
  }
  pidfds_[pid] = pidfd;
  return true;
}

void ProcessExitWatch::forget(pid_t pid) {
  const auto found = pidfds_.find(pid);
  if (found == pidfds_.end()) return;
  ::close(found->second);  // closing removes it from the epoll set
  pidfds_.erase(found);
}

std::vector<pid_t> ProcessExitWatch::exited() {
  std::vector<pid_t> gone;
  std::array<epoll_event, 64> events;
  int ready = 0;
  do {
    ready = ::epoll_wait(epoll_fd_, events.data(), int(events.size()), 0);
    for (int i = 0; i < ready; ++i) {
      const auto pid = static_cast<pid_t>(events[size_t(i)].data.u64);
      forget(pid);
      gone.push_back(pid);
    }
  } while (ready == int(events.size()));
  return gone;
}

}  // namespace nettoll
