// SPDX-License-Identifier: Apache-2.0
// TorrentClient: one torrent client's speed limits, through its own protocol.
// One adapter per client (rtorrent_client, transmission_client,
// qbittorrent_client); tests use FakeTorrentClient.
#pragma once

#include <string>

#include "core/client_limits.h"
#include "core/result.h"

namespace nettoll {

class TorrentClient {
 public:
  virtual ~TorrentClient() = default;

  // "rtorrent 127.0.0.1:5000": names the client in logs and the state file.
  virtual std::string name() const = 0;
  // The limits and mode in force. Fails when the client is down, slow (the
  // adapters use short timeouts) or answers something unexpected.
  virtual Result<ClientLimits> read_limits() = 0;
  // Sets the limits of `limits` in the client (restoring is setting the
  // originals). Fails as read_limits does. Modes are never switched.
  virtual Result<void> set_limits(const ClientLimits& limits) = 0;
  // `limits` as the client will store them (its units and rounding), so what
  // we set compares equal to what we read back.
  virtual ClientLimits stored_form(const ClientLimits& limits) const = 0;
};

}  // namespace nettoll
