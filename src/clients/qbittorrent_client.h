// SPDX-License-Identifier: Apache-2.0
// qBittorrent 4.5 through its Web API v2: auth/login (whatever cookie comes
// back is kept; no Origin/Referer is sent, so the CSRF check passes), the
// user's limits read from app/preferences (normal and alternative), and the
// limits of the speed mode in force set by transfer/setUploadLimit and
// setDownloadLimit (form field `limit`, bytes/s; 0 = unlimited).
#pragma once

#include <chrono>
#include <string>

#include "clients/http_endpoint.h"
#include "clients/torrent_client.h"

namespace nettoll {

class QbittorrentClient : public TorrentClient {
 public:
  QbittorrentClient(HttpEndpoint endpoint, std::string username, std::string password,
                    std::chrono::milliseconds timeout)
      : endpoint_(std::move(endpoint)),
        username_(std::move(username)),
        password_(std::move(password)),
        timeout_(timeout) {}

  std::string name() const override { return "qbittorrent " + endpoint_.url(); }
  Result<ClientLimits> read_limits() override;
  Result<void> set_limits(const ClientLimits& limits) override;
  // Whole KiB/s, at least 1 KiB/s for an enabled limit.
  ClientLimits stored_form(const ClientLimits& limits) const override;

 private:
  Result<void> log_in();
  // Sends `request` with the session cookie, logging in first or again on 403.
  Result<HttpReply> authorised(HttpRequest request);

  HttpEndpoint endpoint_;
  std::string username_;
  std::string password_;
  std::chrono::milliseconds timeout_;
  std::string cookie_;  // "NAME=VALUE" from Set-Cookie
};

// Pure half, unit-tested: limits from app/preferences JSON and the speed
// mode (transfer/speedLimitsMode: "0" normal, "1" alternative).
Result<ClientLimits> parse_qbittorrent_preferences(std::string_view preferences_json, std::string_view mode);

}  // namespace nettoll
