// SPDX-License-Identifier: Apache-2.0
// Reservation: bandwidth set aside for one remote media stream, and the
// events (from Tautulli, Jellyfin, the CLI or the API) that change it.
#pragma once

#include <chrono>
#include <optional>
#include <string>
#include <string_view>

#include "core/cidr.h"
#include "core/duration.h"
#include "core/rate.h"
#include "core/result.h"

namespace nettoll {

// Wall-clock time: expiries are persisted and must survive a restart.
using WallTime = std::chrono::system_clock::time_point;

enum class ReservationSource { tautulli, jellyfin, api };
enum class ReservationState {
  active,  // reserves its upload and download
  paused,  // keeps the session, reserves nothing until resumed
  local,   // a viewer on a local network: recorded and shown, reserves nothing
};

struct Reservation {
  std::string id;
  std::string remote_ip;  // as normalised by parse_viewer_address
  Cidr remote;            // a /32 or /128
  Rate upload;            // what the stream needs towards the viewer
  Rate download;          // what it needs from the viewer (ACKs)
  WallTime expires;
  ReservationSource source = ReservationSource::api;
  ReservationState state = ReservationState::active;
  // What the events said, so a reload can judge again under new settings:
  bool lan = false;             // the source marked the viewer local
  bool download_given = false;  // download was given, not upload × download-factor
  bool operator==(const Reservation&) const = default;
};

// What a hook or command asks of the book.
enum class StreamAction {
  play,     // create or update
  resume,   // as play; restores a paused session
  change,   // as play (a transcode decision changed the rate)
  pause,    // release the bandwidth, keep the session
  watched,  // refresh the expiry
  stop,     // end the session
};

struct StreamEvent {
  StreamAction action = StreamAction::play;
  ReservationSource source = ReservationSource::api;
  std::string id;
  std::string remote_ip;              // "" = not given (keeps a known session's)
  std::optional<Rate> upload;         // absent = not given
  std::optional<Rate> download;       // absent = upload × download-factor
  std::optional<Duration> remaining;  // the stream's remaining duration
  bool lan = false;                   // the source says the viewer is local
};

std::string_view to_string(ReservationSource source);
std::string_view to_string(ReservationState state);
std::string_view to_string(StreamAction action);
// Parse the names to_string prints; fail naming the accepted names.
Result<ReservationSource> parse_reservation_source(std::string_view text);
Result<ReservationState> parse_reservation_state(std::string_view text);

// Parses a viewer's address as hooks send it: IPv4, IPv6, an IPv4-mapped IPv6
// address (::ffff:203.0.113.5 becomes 203.0.113.5), optionally in brackets.
// Returns the address as a /32 or /128. Fails on anything else.
Result<Cidr> parse_viewer_address(std::string_view text);

}  // namespace nettoll
