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

class ReservationService {
 public:
  using StreamsChanged = std::function<void()>;

  // Restores the reservations and the clients' originals of `state_path`
  // (a crash keeps both) and starts the expiry timer. Fails when the state
  // file is unreadable or a client's config is bad.
  static Result<std::unique_ptr<ReservationService>> open(const ReservationsConfig& settings, EventLoop& loop,
                                                          const std::string& state_path,
                                                          StreamsChanged streams_changed);
  ~ReservationService();

  // GET/POST /v1/reservations, DELETE /v1/reservations/{id},
  // POST /v1/hooks/tautulli, POST /v1/hooks/jellyfin.
  void register_routes(Router& router);

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
  // Applies an event; 400 naming the problem when the book refuses it.
  ApiResponse apply(const Result<StreamEvent>& event, int success_status);
  // After a change: save, schedule the next expiry, move the clients, re-plan.
  void changed();
  void save();
  void schedule_expiry();

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
