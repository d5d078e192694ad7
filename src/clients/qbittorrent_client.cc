// SPDX-License-Identifier: Apache-2.0
#include "clients/qbittorrent_client.h"

#include <algorithm>
#include <nlohmann/json.hpp>

namespace nettoll {
namespace {

using nlohmann::json;
constexpr uint64_t kKiB = 1024;
constexpr int kForbidden = 403;  // not logged in, or the session expired

SpeedLimit stored_limit(const SpeedLimit& limit) {
  if (!limit.enabled) return SpeedLimit{Rate(), false};
  return SpeedLimit{Rate::bytes_per_second(std::max(limit.rate.bytes_per_second() / kKiB * kKiB, kKiB)),
                    true};
}

// qBittorrent reports "no limit" as 0 (and -1 in some versions).
Result<SpeedLimit> limit_field(const json& preferences, const char* name) {
  const auto it = preferences.find(name);
  if (it == preferences.end() || !it->is_number_integer()) {
    return Error{std::string("app/preferences: ") + name + ": expected an integer"};
  }
  const int64_t bytes = it->get<int64_t>();
  return SpeedLimit{Rate::bytes_per_second(static_cast<uint64_t>(std::max<int64_t>(bytes, 0))), bytes > 0};
}

}  // namespace

Result<ClientLimits> parse_qbittorrent_preferences(std::string_view preferences_json, std::string_view mode) {
  const json preferences = json::parse(preferences_json, nullptr, false);
  if (preferences.is_discarded() || !preferences.is_object())
    return Error{"app/preferences: reply is not a JSON object"};
  if (mode != "0" && mode != "1") {
    return Error{"transfer/speedLimitsMode: expected 0 or 1, got '" + std::string(mode.substr(0, 40)) + "'"};
  }
  auto up = limit_field(preferences, "up_limit");
  auto down = limit_field(preferences, "dl_limit");
  auto alt_up = limit_field(preferences, "alt_up_limit");
  auto alt_down = limit_field(preferences, "alt_dl_limit");
  for (const auto* part : {&up, &down, &alt_up, &alt_down}) {
    if (!*part) return Error{part->error()};
  }
  return ClientLimits{*up, *down, *alt_up, *alt_down, mode == "1"};
}

Result<void> QbittorrentClient::log_in() {
  HttpRequest request;
  request.path = endpoint_.path() + "/api/v2/auth/login";
  request.form = {{"username", username_}, {"password", password_}};
  auto reply = endpoint_.send(request, timeout_);
  if (!reply) return Error{reply.error()};
  if (reply->status != 200 || reply->body != "Ok.") {
    return Error{name() + ": login refused (HTTP " + std::to_string(reply->status) +
                 "): check username and password-file"};
  }
  // The cookie's name changed across versions (SID, QBT_SID_<port>): keep whichever comes.
  const std::string set_cookie = reply->header("Set-Cookie");
  cookie_ = set_cookie.substr(0, set_cookie.find(';'));
  if (cookie_.empty()) return Error{name() + ": login answered without a cookie"};
  return success();
}

Result<HttpReply> QbittorrentClient::authorised(HttpRequest request) {
  request.path = endpoint_.path() + request.path;
  for (int attempt = 0; attempt < 2; ++attempt) {
    if (cookie_.empty()) {
      if (auto in = log_in(); !in) return Error{in.error()};
    }
    HttpRequest sent = request;
    sent.headers.emplace_back("Cookie", cookie_);
    auto reply = endpoint_.send(sent, timeout_);
    if (!reply) return reply;
    if (reply->status == kForbidden) {
      cookie_.clear();
      continue;
    }
    if (reply->status != 200)
      return Error{name() + ": " + request.path + ": HTTP " + std::to_string(reply->status)};
    return reply;
  }
  return Error{name() + ": " + request.path + ": still forbidden after logging in"};
}

Result<ClientLimits> QbittorrentClient::read_limits() {
  HttpRequest preferences_request;
  preferences_request.path = "/api/v2/app/preferences";
  auto preferences = authorised(preferences_request);
  if (!preferences) return Error{preferences.error()};
  HttpRequest mode_request;
  mode_request.path = "/api/v2/transfer/speedLimitsMode";
  auto mode = authorised(mode_request);
  if (!mode) return Error{mode.error()};
  auto limits = parse_qbittorrent_preferences(preferences->body, mode->body);
  if (!limits) return Error{name() + ": " + limits.error()};
  return limits;
}

Result<void> QbittorrentClient::set_limits(const ClientLimits& limits) {
  // setUploadLimit acts on the mode in force; we never switch modes.
  const bool alternative =
      limits.alternative_mode && limits.alternative_upload && limits.alternative_download;
  const SpeedLimit upload = stored_limit(alternative ? *limits.alternative_upload : limits.upload);
  const SpeedLimit download = stored_limit(alternative ? *limits.alternative_download : limits.download);
  for (const auto& [path, limit] : {std::pair{"/api/v2/transfer/setUploadLimit", upload},
                                    std::pair{"/api/v2/transfer/setDownloadLimit", download}}) {
    HttpRequest request;
    request.path = path;
    request.form = {{"limit", std::to_string(limit.rate.bytes_per_second())}};
    if (auto done = authorised(request); !done) return Error{done.error()};
  }
  return success();
}

ClientLimits QbittorrentClient::stored_form(const ClientLimits& limits) const {
  ClientLimits stored = limits;
  stored.upload = stored_limit(limits.upload);
  stored.download = stored_limit(limits.download);
  if (stored.alternative_upload) stored.alternative_upload = stored_limit(*limits.alternative_upload);
  if (stored.alternative_download) stored.alternative_download = stored_limit(*limits.alternative_download);
  return stored;
}

}  // namespace nettoll
