// SPDX-License-Identifier: Apache-2.0
// ClientLimiter: keeps every torrent client at the limits the reservations
// ask for, and gives the users their own limits back. Before its first change
// to a client it records that client's limits (through `persist`, i.e. the
// state file); it restores them when the last reservation ends, on stop, and
// at the next start (originals loaded from the state file). A user's change
// while we hold a client lowered becomes the new original. A client that
// fails is retried with backoff through the injected timer, and checked
// again periodically while held, so one that restarted is brought into line.
// Every call to a client runs through ClientCalls (a thread per client in the
// daemon): the limiter, on the loop, hands a client an order (the originals,
// what we set, the targets) and applies the outcome when it comes back; it
// never waits on a client, except at stop (restore_all, bounded).
#pragma once

#include <chrono>
#include <functional>
#include <map>
#include <memory>
#include <optional>
#include <string>
#include <vector>

#include "clients/client_calls.h"
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
  std::chrono::milliseconds stop_timeout{7000};      // restore_all: the last call ends, then the restore
};

// What a reload carries from one limiter to the next: the users' own limits
// and what we last set, by client name.
struct LimiterHandover {
  std::map<std::string, ClientLimits> originals;
  std::map<std::string, ClientLimits> applied;
};

class ClientLimiter {
 public:
  using Persist = std::function<Result<void>(const std::map<std::string, ClientLimits>& originals)>;
  using Log = std::function<void(const std::string& message)>;

  ClientLimiter(std::vector<std::unique_ptr<TorrentClient>> clients, ClientCalls& calls, LimiterTimer& timer,
                Persist persist, Log log, LimiterSettings settings = {});
  ~ClientLimiter();

  // The originals a previous run recorded (state file): restored or kept
  // by the next set_targets.
  void load_originals(const std::map<std::string, ClientLimits>& originals);
  // A reload: takes over what the previous limiter held (its originals and
  // what it set), so a user's change while lowered is still recognised.
  void take_over(const LimiterHandover& handover);
  // A client the config no longer has: given back its user's limits (with
  // retries), never lowered again.
  void retire(const std::string& name);
  // A reload: lets the calls under way end (at most stop_timeout) and
  // applies their outcome, then hands over. The limiter does nothing more.
  LimiterHandover hand_over();
  // Brings every client to `targets`, or back to its user's limits when
  // nullopt. Returns at once; the clients follow as their calls end.
  // Failures are logged and retried with backoff.
  void set_targets(const std::optional<ClientTargets>& targets);
  // One attempt to restore every client (daemon stop, the loop no longer
  // running): waits for the calls under way, then for the restores, at most
  // stop_timeout. True when all are restored; the others stay recorded for
  // the next start.
  bool restore_all();

  const std::map<std::string, ClientLimits>& originals() const { return originals_; }
  // True when a client is held lowered or awaits restoring.
  bool holds(const std::string& name) const { return originals_.count(name) != 0; }

 private:
  struct Held {
    std::shared_ptr<TorrentClient> client;  // called only from its work (ClientCalls)
    std::string name;
    std::optional<ClientLimits> applied;  // what we last set
    std::chrono::milliseconds next_retry{0};
    bool busy = false;      // an order is with the client
    bool again = false;     // something changed meanwhile: sync once more when it ends
    bool retiring = false;  // no longer configured: restore only
  };
  struct Order;
  struct Outcome;
  static Outcome carry_out(TorrentClient& client, const Order& order);

  void sync(size_t index);
  void finished(size_t index, const Outcome& outcome);
  void failed(Held& held, size_t index, const std::string& message);
  void schedule_check();
  Result<void> save();

  std::vector<Held> clients_;
  ClientCalls& calls_;
  LimiterTimer& timer_;
  Persist persist_;
  Log log_;
  LimiterSettings settings_;
  std::optional<ClientTargets> targets_;
  std::map<std::string, ClientLimits> originals_;
  bool stopping_ = false;  // restore_all: no retries, no follow-up orders
};

}  // namespace nettoll
