// SPDX-License-Identifier: Apache-2.0
#include "api/loop_handoff.h"

#include <sys/eventfd.h>
#include <unistd.h>

#include <cerrno>
#include <cstring>

namespace nettoll {

Result<std::unique_ptr<LoopHandoff>> LoopHandoff::create(size_t max_queued) {
  const int fd = eventfd(0, EFD_NONBLOCK | EFD_CLOEXEC);
  if (fd < 0) return Error{std::string("cannot create the API's eventfd: ") + std::strerror(errno)};
  return std::unique_ptr<LoopHandoff>(new LoopHandoff(fd, max_queued));
}

LoopHandoff::~LoopHandoff() {
  close();
  ::close(fd_);
}

ApiResponse LoopHandoff::call(Call call, std::chrono::milliseconds timeout) {
  auto pending = std::make_shared<Pending>();
  pending->call = std::move(call);
  std::future<ApiResponse> answer = pending->answer.get_future();
  {
    std::lock_guard lock(mutex_);
    if (closed_) return api_error(503, "the daemon is stopping");
    if (queue_.size() >= max_queued_) return api_error(503, "the daemon is busy; try again");
    queue_.push_back(pending);
  }
  const uint64_t one = 1;
  if (write(fd_, &one, sizeof one) < 0 && errno != EAGAIN)
    return api_error(503, "cannot wake the daemon's loop");
  if (answer.wait_for(timeout) != std::future_status::ready) {
    std::lock_guard lock(mutex_);
    // Not started: it never will be, so a refused call changes nothing.
    // Started: the loop is running it now and answers shortly.
    if (!pending->started) {
      pending->abandoned = true;
      return api_error(503, "the daemon did not answer in time; nothing was changed");
    }
  }
  return answer.get();
}

void LoopHandoff::run_pending() {
  uint64_t count = 0;
  if (read(fd_, &count, sizeof count) < 0 && errno != EAGAIN) return;
  std::deque<std::shared_ptr<Pending>> batch;
  {
    std::lock_guard lock(mutex_);
    batch.swap(queue_);
  }
  for (const auto& pending : batch) {
    {
      std::lock_guard lock(mutex_);
      if (pending->abandoned) continue;
      pending->started = true;
    }
    pending->answer.set_value(pending->call());
  }
}

void LoopHandoff::close() {
  std::deque<std::shared_ptr<Pending>> batch;
  {
    std::lock_guard lock(mutex_);
    closed_ = true;
    batch.swap(queue_);
  }
  for (const auto& pending : batch) pending->answer.set_value(api_error(503, "the daemon is stopping"));
}

}  // namespace nettoll
