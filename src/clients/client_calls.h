// SPDX-License-Identifier: Apache-2.0
// ClientCalls: where ClientLimiter's calls to the torrent clients run. The
// daemon runs them on a thread per client (ClientThreads) so a slow or silent
// client never holds up the event loop; unit tests run them inline.
#pragma once

#include <chrono>
#include <cstddef>
#include <functional>

namespace nettoll {

class ClientCalls {
 public:
  virtual ~ClientCalls() = default;
  // Runs `work` for client number `client` away from the loop (one client's
  // work in the order given), then `done` on the loop.
  virtual void run(size_t client, std::function<void()> work, std::function<void()> done) = 0;
  // For stop, when the loop no longer runs: waits until all work given so
  // far has ended or `deadline` passed, then runs the ended work's `done`
  // callbacks on the calling thread. True when no work is left running.
  virtual bool finish(std::chrono::steady_clock::time_point deadline) = 0;
};

}  // namespace nettoll
