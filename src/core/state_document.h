// SPDX-License-Identifier: Apache-2.0
// StateDocument: what the state file holds (DESIGN.md §3, state.json): the
// reservations with their expiry and each torrent client's original limits,
// so a restart after a crash keeps the one and restores the other.
#pragma once

#include <map>
#include <string>
#include <string_view>
#include <vector>

#include "core/client_limits.h"
#include "core/reservation.h"
#include "core/result.h"

namespace nettoll {

struct StateDocument {
  std::vector<Reservation> reservations;
  // By client name (TorrentClient::name()): the user's limits while we hold
  // that client lowered. Absent = we changed nothing there.
  std::map<std::string, ClientLimits> original_limits;
  bool operator==(const StateDocument&) const = default;
};

// Pretty JSON, versioned; expiries as Unix seconds, rates in bits per second.
std::string format_state_document(const StateDocument& state);

// Parses what format_state_document wrote. Fails naming the field on
// malformed JSON, another version, or bad values.
Result<StateDocument> parse_state_document(std::string_view text);

}  // namespace nettoll
