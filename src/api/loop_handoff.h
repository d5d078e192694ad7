// SPDX-License-Identifier: Apache-2.0
// LoopHandoff: how the HTTP server's threads get work done on the daemon's one
// event loop. A thread queues a call and wakes the loop through an eventfd;
// the loop runs the call and hands back its answer. A call that waits too
// long, or finds the queue full, is answered 503 without touching the loop.
#pragma once

#include <chrono>
#include <deque>
#include <functional>
#include <future>
#include <memory>
#include <mutex>

#include "api/api_request.h"
#include "core/result.h"

namespace nettoll {

class LoopHandoff {
 public:
  using Call = std::function<ApiResponse()>;

  static Result<std::unique_ptr<LoopHandoff>> create(size_t max_queued = 64);
  ~LoopHandoff();
  LoopHandoff(const LoopHandoff&) = delete;
  LoopHandoff& operator=(const LoopHandoff&) = delete;

  // The eventfd the loop watches; readable when calls are waiting.
  int fd() const { return fd_; }

  // From any thread: runs `call` on the loop and returns its answer, or 503
  // (and `call` never runs) when the loop has not started it within
  // `timeout`, the queue is full or the handoff is closed.
  ApiResponse call(Call call, std::chrono::milliseconds timeout);

  // On the loop: runs the waiting calls (when fd() is readable).
  void run_pending();

  // Answers waiting and later calls 503 (the daemon is stopping).
  void close();

 private:
  LoopHandoff(int fd, size_t max_queued) : fd_(fd), max_queued_(max_queued) {}
  struct Pending {
    Call call;
    std::promise<ApiResponse> answer;
    bool started = false;    // guarded by mutex_
    bool abandoned = false;  // the caller gave up before it started
  };

  int fd_ = -1;
  size_t max_queued_;
  std::mutex mutex_;
  std::deque<std::shared_ptr<Pending>> queue_;
  bool closed_ = false;
};

}  // namespace nettoll
