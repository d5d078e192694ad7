// SPDX-License-Identifier: Apache-2.0
// rTorrent 0.9.8 through SCGI XML-RPC: the global throttles, in bytes/s,
// stored in whole KiB (1..1023 would become 0, which means unlimited).
#pragma once

#include <chrono>
#include <string>

#include "clients/torrent_client.h"

namespace nettoll {

class RtorrentClient : public TorrentClient {
 public:
  // `address`: host:port or the path of rTorrent's SCGI unix socket.
  RtorrentClient(std::string address, std::chrono::milliseconds timeout)
      : address_(std::move(address)), timeout_(timeout) {}

  std::string name() const override { return "rtorrent " + address_; }
  Result<ClientLimits> read_limits() override;
  Result<void> set_limits(const ClientLimits& limits) override;
  // Whole KiB, at least 1 KiB for an enabled limit; 0 when unlimited.
  ClientLimits stored_form(const ClientLimits& limits) const override;

 private:
  Result<int64_t> read_rate(const char* method);
  Result<void> write_rate(const char* method, const SpeedLimit& limit);

  std::string address_;
  std::chrono::milliseconds timeout_;
};

}  // namespace nettoll
