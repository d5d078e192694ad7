// SPDX-License-Identifier: Apache-2.0
#include "core/reservation_book.h"

#include <algorithm>

namespace nettoll {
namespace {

bool reserves(const Reservation& reservation) { return reservation.state == ReservationState::active; }

}  // namespace

const Reservation* ReservationBook::find(const std::string& id) const {
  const auto it = std::find_if(reservations_.begin(), reservations_.end(),
                               [&](const Reservation& reservation) { return reservation.id == id; });
  return it == reservations_.end() ? nullptr : &*it;
}

bool ReservationBook::is_local(const Cidr& remote) const {
  return std::any_of(settings_.local_networks.begin(), settings_.local_networks.end(),
                     [&](const Cidr& network) { return network.contains(remote.ipv6, remote.address); });
}

WallTime ReservationBook::expiry_for(const StreamEvent& event, WallTime now) const {
  if (event.remaining) return now + *event.remaining + settings_.margin;
  return now + settings_.default_duration;
}

Result<void> ReservationBook::apply(const StreamEvent& event, WallTime now) {
  if (event.id.empty()) return Error{"id: the session needs an id"};
  const auto it = std::find_if(reservations_.begin(), reservations_.end(),
                               [&](const Reservation& reservation) { return reservation.id == event.id; });
  switch (event.action) {
    case StreamAction::stop:
      if (it != reservations_.end()) reservations_.erase(it);
      return success();
    case StreamAction::watched:
      if (it != reservations_.end()) it->expires = expiry_for(event, now);
      return success();
    case StreamAction::pause:
      if (it == reservations_.end()) return success();
      if (it->state == ReservationState::active) it->state = ReservationState::paused;
      it->expires = expiry_for(event, now);
      return success();
    case StreamAction::play:
    case StreamAction::resume:
    case StreamAction::change:
      return upsert(event, now);
  }
  return success();
}

Result<void> ReservationBook::upsert(const StreamEvent& event, WallTime now) {
  const Reservation* known = find(event.id);
  Reservation updated = known ? *known : Reservation{};
  updated.id = event.id;
  updated.source = event.source;
  if (!event.remote_ip.empty()) {
    auto remote = parse_viewer_address(event.remote_ip);
    if (!remote) return Error{"ip: " + remote.error()};
    updated.remote = *remote;
    updated.remote_ip = format_cidr(*remote);
    updated.remote_ip.resize(updated.remote_ip.find('/'));
  } else if (!known) {
    return Error{"ip: session '" + event.id + "' is new and has no viewer address"};
  }
  if (event.upload) {
    updated.upload = *event.upload;
    updated.download = event.download.value_or(scale_rate(*event.upload, settings_.download_factor));
    updated.download_given = event.download.has_value();
  } else if (!known) {
    return Error{"upload: session '" + event.id + "' is new and has no bandwidth"};
  } else if (event.download) {
    updated.download = *event.download;
    updated.download_given = true;
  }
  updated.expires = expiry_for(event, now);
  updated.lan = event.lan;
  updated.state = state_for(updated);
  if (known) {
    *std::find_if(reservations_.begin(), reservations_.end(),
                  [&](const Reservation& reservation) { return reservation.id == event.id; }) = updated;
  } else {
    const auto at = std::lower_bound(
        reservations_.begin(), reservations_.end(), updated.id,
        [](const Reservation& reservation, const std::string& id) { return reservation.id < id; });
    reservations_.insert(at, updated);
  }
  return success();
}

std::vector<std::string> ReservationBook::expire(WallTime now) {
  std::vector<std::string> expired;
  std::erase_if(reservations_, [&](const Reservation& reservation) {
    if (reservation.expires > now) return false;
    expired.push_back(reservation.id);
    return true;
  });
  return expired;
}

ReservationState ReservationBook::state_for(const Reservation& reservation) const {
  return reservation.lan || is_local(reservation.remote) ? ReservationState::local : ReservationState::active;
}

void ReservationBook::restore(std::vector<Reservation> reservations) {
  reservations_ = std::move(reservations);
  std::sort(reservations_.begin(), reservations_.end(),
            [](const Reservation& a, const Reservation& b) { return a.id < b.id; });
  // Written under other settings (a state file, a reload): the config decides
  // now. A pause stays a pause: its resume judges the viewer again.
  for (Reservation& reservation : reservations_) {
    if (reservation.state != ReservationState::paused) reservation.state = state_for(reservation);
    if (!reservation.download_given) {
      reservation.download = scale_rate(reservation.upload, settings_.download_factor);
    }
  }
}

std::optional<WallTime> ReservationBook::next_expiry() const {
  std::optional<WallTime> next;
  for (const Reservation& reservation : reservations_) {
    if (!next || reservation.expires < *next) next = reservation.expires;
  }
  return next;
}

std::vector<ReservedStream> ReservationBook::active_streams() const {
  std::vector<ReservedStream> streams;
  for (const Reservation& reservation : reservations_) {
    if (!reserves(reservation)) continue;
    streams.push_back({reservation.id, reservation.remote, reservation.upload, reservation.download});
  }
  return streams;
}

Rate ReservationBook::reserved_upload() const {
  Rate total;
  for (const Reservation& reservation : reservations_) {
    if (reserves(reservation)) total = total + reservation.upload;
  }
  return total;
}

Rate ReservationBook::reserved_download() const {
  Rate total;
  for (const Reservation& reservation : reservations_) {
    if (reserves(reservation)) total = total + reservation.download;
  }
  return total;
}

std::optional<ClientTargets> ReservationBook::client_targets() const {
  if (std::none_of(reservations_.begin(), reservations_.end(), reserves)) return std::nullopt;
  // Rate's subtraction stops at zero; the floor keeps the result above it.
  auto floored = [&](Rate link, Rate reserved) {
    return std::max(link - reserved, settings_.client_minimum);
  };
  ClientTargets targets;
  if (settings_.link_upload) targets.upload = floored(*settings_.link_upload, reserved_upload());
  if (settings_.link_download) targets.download = floored(*settings_.link_download, reserved_download());
  return targets;
}

}  // namespace nettoll
