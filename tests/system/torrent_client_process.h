// SPDX-License-Identifier: Apache-2.0
// A real torrent client from Debian (rtorrent, transmission-daemon,
// qbittorrent-nox) started by a test inside a network namespace of its own
// (loopback only: nothing can reach outside), with a throwaway config dir,
// no DHT, PEX, LSD, UPnP or NAT-PMP, and no torrents.
#pragma once

#include <chrono>
#include <filesystem>
#include <memory>
#include <string>

#include "child_process.h"
#include "core/client_limits.h"
#include "core/config.h"
#include "core/result.h"

namespace nettoll::testing {

enum class RealClient { rtorrent_tcp, rtorrent_unix, transmission, qbittorrent };

std::string to_string(RealClient client);
// Bytes/s `client` holds for `bits_per_second`: whole KiB for rTorrent and
// qBittorrent, whole kB for Transmission (units.speed-bytes = 1000).
uint64_t in_client_unit(RealClient client, uint64_t bits_per_second);

class TorrentClientProcess {
 public:
  // Prepares the config dir under `directory`; start() runs the client in
  // namespace `netns`.
  TorrentClientProcess(RealClient client, std::string netns, std::filesystem::path directory);
  ~TorrentClientProcess();

  // The program's path, or "" when it is not installed (the test skips).
  std::string program() const;
  // Starts the client; the caller waits until it answers (wait_until_ready).
  void start();
  // SIGKILL and reap, as a crash would.
  void kill();
  bool running() const { return process_ != nullptr; }

  // How nettoll's config would name this client (addresses in the namespace).
  TorrentClientConfig config() const;
  // The same as a flow map of the `clients:` list.
  std::string config_yaml() const;
  // The limits it has now, read inside its namespace through nettoll's own
  // adapter (the protocols are checked by client_protocols_test).
  Result<ClientLimits> read_limits() const;
  // Waits until it answers, at most `limit` (a loaded machine starts
  // qbittorrent-nox slowly); the last error otherwise.
  Result<void> wait_until_ready(std::chrono::seconds limit = std::chrono::seconds(20)) const;

 private:
  void write_config() const;

  RealClient client_;
  std::string netns_;
  std::filesystem::path directory_;
  std::unique_ptr<ChildProcess> process_;
};

}  // namespace nettoll::testing
