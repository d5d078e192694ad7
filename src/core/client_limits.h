// SPDX-License-Identifier: Apache-2.0
// ClientLimits: a torrent client's own speed limits and mode, as nettoll
// reads, lowers, remembers and restores them. Pure values; the adapters in
// src/clients translate them to each client's units.
#pragma once

#include <optional>

#include "core/rate.h"
#include "core/reservation_book.h"

namespace nettoll {

struct SpeedLimit {
  Rate rate;             // the stored value; kept even while disabled (Transmission)
  bool enabled = false;  // false = unlimited
  bool operator==(const SpeedLimit&) const = default;
};

struct ClientLimits {
  SpeedLimit upload;
  SpeedLimit download;
  // The alternative ("turtle") mode's limits, for clients that have one.
  std::optional<SpeedLimit> alternative_upload;
  std::optional<SpeedLimit> alternative_download;
  bool alternative_mode = false;  // the alternative limits are the ones in force
  bool operator==(const ClientLimits&) const = default;
};

// The limits to set while streams are reserved: in the mode in force, each
// direction with a target becomes the lower of the user's limit and the target.
// The other mode and directions without a target keep the user's values.
ClientLimits lowered_limits(const ClientLimits& original, const ClientTargets& targets);

// The user's new originals after they changed `current` away from what we
// `applied`: every field that differs from `applied` is theirs.
ClientLimits merge_user_changes(const ClientLimits& original, const ClientLimits& applied,
                                const ClientLimits& current);

}  // namespace nettoll
