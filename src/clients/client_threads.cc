// SPDX-License-Identifier: Apache-2.0
#include "clients/client_threads.h"

#include <pthread.h>
#include <signal.h>
#include <sys/eventfd.h>
#include <unistd.h>

#include <cerrno>
#include <cstring>

namespace nettoll {

Result<std::unique_ptr<ClientThreads>> ClientThreads::create(size_t clients) {
  const int fd = eventfd(0, EFD_NONBLOCK | EFD_CLOEXEC);
  if (fd < 0)
    return Error{std::string("cannot create the torrent clients' eventfd: ") + std::strerror(errno)};
  return std::unique_ptr<ClientThreads>(new ClientThreads(fd, clients));
}

ClientThreads::ClientThreads(int fd, size_t clients) : fd_(fd) {
  for (size_t i = 0; i < clients; ++i) workers_.push_back(std::make_unique<Worker>());
  for (auto& worker : workers_) worker->thread = std::thread([this, w = worker.get()] { serve(*w); });
}

ClientThreads::~ClientThreads() {
  {
    std::lock_guard lock(mutex_);
    stopping_ = true;
    for (auto& worker : workers_) worker->jobs.clear();
  }
  changed_.notify_all();
  for (auto& worker : workers_) worker->thread.join();
  ::close(fd_);
}

void ClientThreads::run(size_t client, std::function<void()> work, std::function<void()> done) {
  {
    std::lock_guard lock(mutex_);
    workers_.at(client)->jobs.push_back(Job{std::move(work), std::move(done)});
  }
  changed_.notify_all();
}

void ClientThreads::serve(Worker& worker) {
  // Signals are the loop's (sd-event blocks them in its thread): a thread
  // that left SIGTERM unblocked would take it and die of its default action.
  sigset_t all;
  sigfillset(&all);
  pthread_sigmask(SIG_BLOCK, &all, nullptr);
  std::unique_lock lock(mutex_);
  for (;;) {
    changed_.wait(lock, [&] { return stopping_ || !worker.jobs.empty(); });
    if (stopping_) return;
    Job job = std::move(worker.jobs.front());
    worker.jobs.pop_front();
    worker.running = true;
    lock.unlock();
    job.work();
    lock.lock();
    worker.running = false;
    done_.push_back(std::move(job.done));
    const uint64_t one = 1;
    // A full counter (EAGAIN) still leaves the fd readable: the loop wakes.
    if (write(fd_, &one, sizeof one) < 0 && errno != EAGAIN) {
      // Nothing to do: finish() and the next run_done() still find the callback.
    }
    changed_.notify_all();
  }
}

bool ClientThreads::idle() const {
  for (const auto& worker : workers_) {
    if (worker->running || !worker->jobs.empty()) return false;
  }
  return true;
}

void ClientThreads::take_done(std::deque<std::function<void()>>& into) {
  std::lock_guard lock(mutex_);
  into.swap(done_);
}

void ClientThreads::run_done() {
  uint64_t count = 0;
  if (read(fd_, &count, sizeof count) < 0 && errno != EAGAIN) return;
  std::deque<std::function<void()>> batch;
  take_done(batch);
  for (auto& done : batch) done();
}

bool ClientThreads::finish(std::chrono::steady_clock::time_point deadline) {
  bool all;
  {
    std::unique_lock lock(mutex_);
    all = changed_.wait_until(lock, deadline, [this] { return idle(); });
  }
  std::deque<std::function<void()>> batch;
  take_done(batch);
  for (auto& done : batch) done();
  return all;
}

}  // namespace nettoll
