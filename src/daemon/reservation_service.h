// SPDX-License-Identifier: Apache-2.0
// ReservationService: the daemon's reservations. Owns the book, its expiry
// timer on the loop, the state file and the torrent clients' limiter; serves
// the reservation endpoints and the Tautulli/Jellyfin hooks through the
// router. After every change it saves the state, moves the clients' limits
// and tells the daemon the active streams changed (a new plan).
#pragma once

#include <functional>
#include <memory>
#include <nlohmann/json.hpp>
#include <optional>
#include <set>
#include <string>
#include <vector>

#include "api/router.h"
#include "clients/client_limiter.h"
#include "clients/client_threads.h"
#include "core/config.h"
#include "core/reservation_book.h"
#include "core/result.h"
#include "daemon/event_loop.h"
#include "daemon/state_file.h"

namespace nettoll {

// A reload's new `reservations:` section, prepared before anything changes:
// the adapters of its clients, and of the clients it drops that still hold
// lowered limits (retiring: restored, then left alone).
struct ReservationReload {
  std::optional<ReservationsConfig> settings;  // nullopt: the section is gone
  std::vector<std::unique_ptr<TorrentClient>> clients;
  std::vector<TorrentClientConfig> configs;  // each client's, in the same order
  std::set<std::string> retiring;
  std::unique_ptr<ClientThreads> threads;
};

class ReservationService {
 public:
  using StreamsChanged = std::function<void()>;

  // A start or a reload to `settings` is prepare, then reload. The first
  // step changes nothing: fails naming the client whose adapter cannot be
  // made (a bad URL, an unreadable password-file). `current` may be null
  // (no section so far).
  static Result<ReservationReload> prepare(const std::optional<ReservationsConfig>& settings,
                                           const ReservationService* current);
  // The second step: `current` (may be null) lets its client calls end and
  // goes; the new service keeps its reservations, judged under the new
  // settings, and its clients' originals, restores the retiring clients and
  // lowers the others to the new targets. Without a current service (a
  // start) the state file provides both: a crash keeps them. Null when
  // nothing is left to do (the section is gone and no client awaits its
  // limits). The caller plans with active_streams(). Fails when the state
  // file is unreadable.
  static Result<std::unique_ptr<ReservationService>> reload(std::unique_ptr<ReservationService> current,
                                                            ReservationReload next, EventLoop& loop,
                                                            const std::string& state_path,
                                                            StreamsChanged streams_changed);
  ~ReservationService();

  // GET/POST /v1/reservations, DELETE /v1/reservations/{id},
  // POST /v1/hooks/tautulli, POST /v1/hooks/jellyfin; a later call (the
  // next service) replaces them, unregister_routes removes them.
  void register_routes(Router& router);
  static void unregister_routes(Router& router);

  // What the planner gets: the active streams.
  std::vector<ReservedStream> active_streams() const { return book_.active_streams(); }
  // The reservations and the clients held, for `nettoll status`.
  nlohmann::json status() const;
  // Gives the clients their users' limits back (daemon stop).
  void restore_clients();

 private:
  class LoopTimer;
  ReservationService(const ReservationsConfig& settings, EventLoop& loop, std::string state_path,
                     StreamsChanged streams_changed);
  // Watches the clients' threads and makes the limiter of `next`'s clients.
  Result<void> start_clients(ReservationReload next);
  // Takes `reservations` (judged under this service's settings) and the
  // clients' limits, saves, and moves the clients to the new targets.
  void take_over(std::vector<Reservation> reservations, const LimiterHandover& clients);
  // Lets the clients' calls end and takes the service off the loop.
  LimiterHandover close();
  // Applies an event; 400 naming the problem when the book refuses it.
  ApiResponse apply(const Result<StreamEvent>& event, int success_status);
  // After a change: save, schedule the next expiry, move the clients, re-plan.
  void changed();
  void save();
  void schedule_expiry();

  std::vector<TorrentClientConfig> client_configs_;  // the limiter's clients, retiring ones included
  ReservationBook book_;
  EventLoop& loop_;
  StateFile state_file_;
  StreamsChanged streams_changed_;
  std::unique_ptr<LoopTimer> timer_;
  std::unique_ptr<ClientThreads> client_threads_;  // the clients' calls, off the loop
  std::unique_ptr<ClientLimiter> limiter_;
  std::optional<Rate> jellyfin_default_upload_;
};

}  // namespace nettoll
