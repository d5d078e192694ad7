// SPDX-License-Identifier: Apache-2.0
// ClientThreads: ClientCalls on one thread per torrent client. Work runs on
// the client's thread; its `done` callback is queued and the loop is woken
// through an eventfd, so the loop only ever runs finished results. A client
// that never answers stalls only its own thread (the adapters' timeouts end
// each call), never the loop or another client.
#pragma once

#include <condition_variable>
#include <deque>
#include <memory>
#include <mutex>
#include <thread>
#include <vector>

#include "clients/client_calls.h"
#include "core/result.h"

namespace nettoll {

class ClientThreads : public ClientCalls {
 public:
  // Starts `clients` threads. Fails when the eventfd cannot be created.
  static Result<std::unique_ptr<ClientThreads>> create(size_t clients);
  // Drops work not yet started and joins the threads (each ends after the
  // call it is in, bounded by the adapters' timeouts).
  ~ClientThreads() override;
  ClientThreads(const ClientThreads&) = delete;
  ClientThreads& operator=(const ClientThreads&) = delete;

  // The eventfd the loop watches; readable when finished work awaits run_done().
  int fd() const { return fd_; }
  // On the loop: runs the `done` callbacks of the work that has ended.
  void run_done();

  void run(size_t client, std::function<void()> work, std::function<void()> done) override;
  bool finish(std::chrono::steady_clock::time_point deadline) override;

 private:
  struct Job {
    std::function<void()> work;
    std::function<void()> done;
  };
  struct Worker {
    std::deque<Job> jobs;  // guarded by mutex_
    bool running = false;  // a job's work is running
    std::thread thread;
  };
  ClientThreads(int fd, size_t clients);
  void serve(Worker& worker);
  void take_done(std::deque<std::function<void()>>& into);
  bool idle() const;  // with mutex_ held

  int fd_ = -1;
  std::mutex mutex_;
  std::condition_variable changed_;
  std::vector<std::unique_ptr<Worker>> workers_;
  std::deque<std::function<void()>> done_;  // guarded by mutex_
  bool stopping_ = false;
};

}  // namespace nettoll
