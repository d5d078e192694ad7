// SPDX-License-Identifier: Apache-2.0
// ProcessExitWatch: learns when chosen processes exit, through pidfds in an
// epoll set of its own. The daemon watches only processes that have a rule,
// so the proc connector's exit event (one wakeup for every process on the
// machine) can be dropped in the kernel.
#pragma once

#include <sys/types.h>

#include <map>
#include <vector>

#include "core/result.h"

namespace nettoll {

class ProcessExitWatch {
 public:
  // Creates the epoll set. Fails when the kernel refuses epoll.
  static Result<ProcessExitWatch> create();
  ~ProcessExitWatch();
  ProcessExitWatch(ProcessExitWatch&& other) noexcept;
  ProcessExitWatch& operator=(ProcessExitWatch&&) = delete;

  // Readable when a watched process has exited: poll it in an event loop.
  int fd() const { return epoll_fd_; }

  // Watches `pid` (nothing when already watched): true. False when it has
  // already exited (ESRCH): the caller treats that as its exit now. Any
  // other failure (EMFILE, ENOMEM, no pidfds) is an error: the process is
  // alive, only not watched.
  Result<bool> watch(pid_t pid);
  void forget(pid_t pid);

  // The watched processes that exited since the last call (not blocking);
  // they are no longer watched.
  std::vector<pid_t> exited();

  size_t size() const { return pidfds_.size(); }

 private:
  explicit ProcessExitWatch(int epoll_fd) : epoll_fd_(epoll_fd) {}
  int epoll_fd_ = -1;
  std::map<pid_t, int> pidfds_;
};

}  // namespace nettoll
