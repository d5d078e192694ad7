// SPDX-License-Identifier: Apache-2.0
// The real torrent clients from Debian, started by a test inside its own
// namespace with throwaway config dirs, no DHT, no peer exchange, no port
// mapping and no torrents: they only answer their RPC on loopback.
#pragma once

#include <filesystem>
#include <fstream>
#include <memory>
#include <string>

#include "child_process.h"
#include "clients/client_factory.h"
#include "testbed.h"

namespace nettoll::testing {

// rTorrent 0.9.8 with its SCGI port on 127.0.0.1:`port`, upload limited to
// `upload_kib` KiB/s by its rc file (the user's own limit).
inline std::unique_ptr<ChildProcess> start_rtorrent(const Testbed& testbed, const std::string& directory,
                                                    int port, int upload_kib) {
  std::filesystem::create_directories(directory + "/session");
  std::ofstream(directory + "/rtorrent.rc")
      << "session.path.set = " << directory << "/session\n"
      << "directory.default.set = " << directory << "\n"
      << "network.scgi.open_port = 127.0.0.1:" << port << "\n"
      << "dht.mode.set = disable\nprotocol.pex.set = no\ntrackers.use_udp.set = no\n"
      << "network.port_range.set = 50000-50000\nnetwork.port_random.set = no\n"
      << "throttle.global_up.max_rate.set_kb = " << upload_kib << "\n";
  return std::make_unique<ChildProcess>(std::vector<std::string>{
      "ip", "netns", "exec", testbed.namespace_a(), "env", "HOME=" + directory, "rtorrent", "-n", "-o",
      "import=" + directory + "/rtorrent.rc", "-o", "system.daemon.set=true"});
}

// transmission-daemon 3.00 with its RPC on 127.0.0.1:`port` (no
// authentication), upload limited to `upload_kb` kB/s.
inline std::unique_ptr<ChildProcess> start_transmission(const Testbed& testbed, const std::string& directory,
                                                        int port, int upload_kb) {
  std::filesystem::create_directories(directory + "/downloads");
  std::ofstream(directory + "/settings.json")
      << "{\"rpc-port\": " << port << ", \"rpc-bind-address\": \"127.0.0.1\","
      << " \"rpc-authentication-required\": false, \"rpc-whitelist-enabled\": false,"
      << " \"rpc-host-whitelist-enabled\": false, \"dht-enabled\": false, \"lpd-enabled\": false,"
      << " \"pex-enabled\": false, \"utp-enabled\": false, \"port-forwarding-enabled\": false,"
      << " \"peer-port\": 51413, \"download-dir\": \"" << directory << "/downloads\","
      << " \"speed-limit-up\": " << upload_kb << ", \"speed-limit-up-enabled\": true,"
      << " \"speed-limit-down\": 20000, \"speed-limit-down-enabled\": false}\n";
  return std::make_unique<ChildProcess>(std::vector<std::string>{
      "ip", "netns", "exec", testbed.namespace_a(), "transmission-daemon", "-f", "-g", directory});
}

// The limits `config`'s client has now, read inside namespace A through
// nettoll's own adapter (its protocol is checked by client_protocols_test).
inline Result<ClientLimits> client_limits(const Testbed& testbed, const TorrentClientConfig& config) {
  ScopedNetworkNamespace inside(testbed.namespace_a());
  if (!inside.error().empty()) return Error{inside.error()};
  auto client = make_torrent_client(config, std::chrono::seconds(5));
  if (!client) return Error{client.error()};
  return (*client)->read_limits();
}

}  // namespace nettoll::testing
