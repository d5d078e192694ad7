// SPDX-License-Identifier: Apache-2.0
// ClientLimiter: keeps every torrent client at the limits the reservations
// ask for, and gives the users their own limits back. Before its first change
// to a client it records that client's limits (through `persist`, i.e. the
// state file); it restores them when the last reservation ends, on stop, and
// at the next start (originals loaded from the state file). A user's change
// while we hold a client lowered becomes the new original. A client that
// fails is retried with backoff through the injected timer, and checked
// again periodically while held, so one that restarted is brought into line.
#pragma once

#include <chrono>
#include <functional>
#include <map>
#include <memory>
#include <optional>
#include <string>
#include <vector>

#include "clients/torrent_client.h"
#include "core/client_limits.h"
#include "core/reservation_book.h"
#include "core/result.h"

namespace nettoll {

// One-shot timers by name; a later call for a name replaces the pending one
// (EventLoop::after in the daemon).
class LimiterTimer {
 public:
  virtual ~LimiterTimer() = default;
  virtual void after(const std::string& name, std::chrono::milliseconds delay,
                     std::function<void()> callback) = 0;
};

struct LimiterSettings {
  std::chrono::milliseconds first_retry{1000};
  std::chrono::milliseconds longest_retry{60'000};
  std::chrono::milliseconds check_interval{30'000};  // while holding a client lowered
};

class ClientLimiter {
 public:
  using Persist = std::function<Result<void>(const std::map<std::string, ClientLimits>& originals)>;
  using Log = std::function<void(const std::string& message)>;

  ClientLimiter(std::vector<std::unique_ptr<TorrentClient>> clients, LimiterTimer& timer, Persist persist,
                Log log, LimiterSettings settings = {});

  // The originals a previous run recorded (state file): restored or kept
  // by the next set_targets.
  void load_originals(const std::map<std::string, ClientLimits>& originals);
  // Brings every client to `targets`, or back to its user's limits when
  // nullopt. Failures are logged and retried; never blocks for long.
  void set_targets(const std::optional<ClientTargets>& targets);
  // One attempt to restore every client (daemon stop). True when all are
  // restored; the others stay recorded for the next start.
  bool restore_all();

  const std::map<std::string, ClientLimits>& originals() const { return originals_; }
  // True when a client is held lowered or awaits restoring.
  bool holds(const std::string& name) const { return originals_.count(name) != 0; }

 private:
  struct Held {
    std::unique_ptr<TorrentClient> client;
    std::optional<ClientLimits> applied;  // what we last set
    std::chrono::milliseconds next_retry{0};
  };

  void sync(Held& held);
  Result<void> bring_down(Held& held);
  Result<void> restore(Held& held);
  void failed(Held& held, const std::string& message);
  void succeeded(Held& held);
  void schedule_check();
  Result<void> save();

  std::vector<Held> clients_;
  LimiterTimer& timer_;
  Persist persist_;
  Log log_;
  LimiterSettings settings_;
  std::optional<ClientTargets> targets_;
  std::map<std::string, ClientLimits> originals_;
};

}  // namespace nettoll
