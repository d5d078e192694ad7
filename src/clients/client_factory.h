// SPDX-License-Identifier: Apache-2.0
// The adapter for each configured torrent client.
#pragma once

#include <chrono>
#include <memory>

#include "clients/torrent_client.h"
#include "core/config.h"

namespace nettoll {

// Short: a client that is slow must never hold up the daemon's loop for long.
inline constexpr std::chrono::milliseconds kClientTimeout{1500};

// The adapter for `config`, reading its password-file. Fails naming the
// client on a bad URL or an unreadable password file.
Result<std::unique_ptr<TorrentClient>> make_torrent_client(
    const TorrentClientConfig& config, std::chrono::milliseconds timeout = kClientTimeout);

}  // namespace nettoll
