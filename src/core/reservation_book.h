// SPDX-License-Identifier: Apache-2.0
// ReservationBook: the reservations of remote media streams, and what they
// take from the bulk traffic. Pure: time and events come in as values; the
// caller's clock drives expiry (next_expiry says when to call expire).
#pragma once

#include <optional>
#include <string>
#include <vector>

#include "core/config.h"
#include "core/reservation.h"
#include "core/reserved_stream.h"
#include "core/result.h"

namespace nettoll {

// The limits the torrent clients should hold while streams are reserved.
// A direction is absent when its link rate is not configured.
struct ClientTargets {
  std::optional<Rate> upload;
  std::optional<Rate> download;
  bool operator==(const ClientTargets&) const = default;
};

class ReservationBook {
 public:
  explicit ReservationBook(ReservationsConfig settings) : settings_(std::move(settings)) {}

  // Applies an event at `now`. Fails, changing nothing, when a new session
  // lacks its address or rate, or the address is no IP address. Stop, pause
  // and watched for an unknown session change nothing and succeed.
  Result<void> apply(const StreamEvent& event, WallTime now);
  // Removes the reservations whose expiry is at or before `now`; returns their ids.
  std::vector<std::string> expire(WallTime now);
  // Puts back reservations read from the state file (after a restart) or
  // kept over a reload, judged under this book's settings: local or not by
  // local-networks, download by download-factor unless it was given.
  // Expired ones are dropped by the next expire().
  void restore(std::vector<Reservation> reservations);

  // The earliest expiry, or nullopt when the book is empty.
  std::optional<WallTime> next_expiry() const;
  const std::vector<Reservation>& reservations() const { return reservations_; }
  const Reservation* find(const std::string& id) const;

  // Active reservations as the planner wants them, in id order.
  std::vector<ReservedStream> active_streams() const;
  Rate reserved_upload() const;
  Rate reserved_download() const;
  // The clients' limits: link rate minus what is reserved, never below
  // client-minimum (0 would mean unlimited to every client). Nullopt when
  // nothing is reserved: the clients get their users' own limits back.
  std::optional<ClientTargets> client_targets() const;

 private:
  Result<void> upsert(const StreamEvent& event, WallTime now);
  WallTime expiry_for(const StreamEvent& event, WallTime now) const;
  bool is_local(const Cidr& remote) const;
  ReservationState state_for(const Reservation& reservation) const;  // active or local

  ReservationsConfig settings_;
  std::vector<Reservation> reservations_;  // kept in id order
};

}  // namespace nettoll
