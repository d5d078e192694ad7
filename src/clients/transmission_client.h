// SPDX-License-Identifier: Apache-2.0
// Transmission 3.00 through its RPC: session-get/session-set, after the 409
// X-Transmission-Session-Id handshake. Limits are whole kB/s, where kB is
// the session's units.speed-bytes (1000); unlimited is *-enabled: false (0
// with enabled blocks transfers); alt-speed (turtle) mode overrides the
// normal limits while on.
#pragma once

#include <chrono>
#include <optional>
#include <string>
#include <utility>

#include "clients/http_endpoint.h"
#include "clients/torrent_client.h"

namespace nettoll {

class TransmissionClient : public TorrentClient {
 public:
  TransmissionClient(HttpEndpoint endpoint, std::optional<std::pair<std::string, std::string>> credentials,
                     std::chrono::milliseconds timeout)
      : endpoint_(std::move(endpoint)), credentials_(std::move(credentials)), timeout_(timeout) {}

  std::string name() const override { return "transmission " + endpoint_.url(); }
  Result<ClientLimits> read_limits() override;
  Result<void> set_limits(const ClientLimits& limits) override;
  // Whole kB/s, at least 1 kB/s for an enabled limit.
  ClientLimits stored_form(const ClientLimits& limits) const override;

 private:
  // The RPC's "arguments" on "result": "success"; fails naming the method.
  Result<std::string> call(const std::string& request);

  HttpEndpoint endpoint_;
  std::optional<std::pair<std::string, std::string>> credentials_;
  std::chrono::milliseconds timeout_;
  std::string session_id_;
  uint64_t speed_bytes_ = 1000;  // units.speed-bytes, read by session-get
};

// Pure halves, unit-tested: the limits in a session-get reply's arguments
// (with units.speed-bytes), and the session-set arguments for `limits`.
struct TransmissionSession {
  ClientLimits limits;
  uint64_t speed_bytes = 1000;
};
Result<TransmissionSession> parse_transmission_session(std::string_view arguments_json);
std::string format_transmission_limits(const ClientLimits& limits, uint64_t speed_bytes);

}  // namespace nettoll
