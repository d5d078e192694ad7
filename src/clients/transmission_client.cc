// SPDX-License-Identifier: Apache-2.0
#include "clients/transmission_client.h"

#include <algorithm>
#include <nlohmann/json.hpp>

namespace nettoll {
namespace {

using nlohmann::json;
constexpr int kConflict = 409;  // "take this session id and ask again"

uint64_t whole_units(Rate rate, uint64_t speed_bytes) { return rate.bytes_per_second() / speed_bytes; }

SpeedLimit stored_limit(const SpeedLimit& limit, uint64_t speed_bytes) {
  uint64_t units = whole_units(limit.rate, speed_bytes);
  // A small limit must not round to 0, which blocks transfers; a user's own 0 stays.
  if (limit.enabled && !limit.rate.is_zero()) units = std::max<uint64_t>(units, 1);
  return SpeedLimit{Rate::bytes_per_second(units * speed_bytes), limit.enabled};
}

Result<uint64_t> unsigned_field(const json& object, const char* name) {
  const auto it = object.find(name);
  if (it == object.end() || !it->is_number_unsigned()) {
    return Error{std::string("session-get: ") + name + ": expected a non-negative integer"};
  }
  return it->get<uint64_t>();
}

Result<bool> bool_field(const json& object, const char* name) {
  const auto it = object.find(name);
  if (it == object.end() || !it->is_boolean())
    return Error{std::string("session-get: ") + name + ": expected true or false"};
  return it->get<bool>();
}

}  // namespace

Result<TransmissionSession> parse_transmission_session(std::string_view arguments_json) {
  const json arguments = json::parse(arguments_json, nullptr, false);
  if (arguments.is_discarded() || !arguments.is_object()) return Error{"session-get: malformed arguments"};
  TransmissionSession session;
  if (const auto units = arguments.find("units"); units != arguments.end() && units->is_object()) {
    auto bytes = unsigned_field(*units, "speed-bytes");
    if (!bytes || *bytes == 0) return Error{"session-get: units: speed-bytes: expected a positive integer"};
    session.speed_bytes = *bytes;
  }
  auto limit = [&](const char* value, const char* enabled) -> Result<SpeedLimit> {
    auto units = unsigned_field(arguments, value);
    if (!units) return Error{units.error()};
    auto on = enabled ? bool_field(arguments, enabled) : Result<bool>(true);
    if (!on) return Error{on.error()};
    return SpeedLimit{Rate::bytes_per_second(*units * session.speed_bytes), *on};
  };
  auto up = limit("speed-limit-up", "speed-limit-up-enabled");
  auto down = limit("speed-limit-down", "speed-limit-down-enabled");
  auto alt_up = limit("alt-speed-up", nullptr);
  auto alt_down = limit("alt-speed-down", nullptr);
  auto alt_mode = bool_field(arguments, "alt-speed-enabled");
  for (const auto* part : {&up, &down, &alt_up, &alt_down}) {
    if (!*part) return Error{part->error()};
  }
  if (!alt_mode) return Error{alt_mode.error()};
  session.limits = {*up, *down, *alt_up, *alt_down, *alt_mode};
  return session;
}

std::string format_transmission_limits(const ClientLimits& limits, uint64_t speed_bytes) {
  // Integers only: Transmission 3.00 ignores a float and still says success.
  json arguments = {{"speed-limit-up", whole_units(limits.upload.rate, speed_bytes)},
                    {"speed-limit-up-enabled", limits.upload.enabled},
                    {"speed-limit-down", whole_units(limits.download.rate, speed_bytes)},
                    {"speed-limit-down-enabled", limits.download.enabled}};
  if (limits.alternative_upload)
    arguments["alt-speed-up"] = whole_units(limits.alternative_upload->rate, speed_bytes);
  if (limits.alternative_download) {
    arguments["alt-speed-down"] = whole_units(limits.alternative_download->rate, speed_bytes);
  }
  return json{{"method", "session-set"}, {"arguments", arguments}}.dump();
}

Result<std::string> TransmissionClient::call(const std::string& request) {
  for (int attempt = 0; attempt < 2; ++attempt) {
    HttpRequest http;
    http.path = endpoint_.path();
    http.body = request;
    http.headers = {{"X-Transmission-Session-Id", session_id_}};
    http.basic_auth = credentials_;
    auto reply = endpoint_.send(http, timeout_);
    if (!reply) return Error{reply.error()};
    if (reply->status == kConflict) {
      session_id_ = reply->header("X-Transmission-Session-Id");
      if (session_id_.empty()) return Error{name() + ": 409 without X-Transmission-Session-Id"};
      continue;
    }
    if (reply->status == 401) return Error{name() + ": 401 Unauthorized: check username and password-file"};
    if (reply->status != 200) return Error{name() + ": HTTP " + std::to_string(reply->status)};
    const json answer = json::parse(reply->body, nullptr, false);
    if (answer.is_discarded() || !answer.is_object()) return Error{name() + ": reply is not JSON"};
    const auto result = answer.find("result");
    if (result == answer.end() || !result->is_string()) return Error{name() + ": reply without \"result\""};
    if (*result != "success") return Error{name() + ": " + result->get<std::string>()};
    const auto arguments = answer.find("arguments");
    return arguments == answer.end() ? std::string("{}") : arguments->dump();
  }
  return Error{name() + ": the session id handshake did not settle"};
}

Result<ClientLimits> TransmissionClient::read_limits() {
  const json request = {
      {"method", "session-get"},
      {"arguments",
       {{"fields",
         {"speed-limit-up", "speed-limit-up-enabled", "speed-limit-down", "speed-limit-down-enabled",
          "alt-speed-up", "alt-speed-down", "alt-speed-enabled", "units"}}}}};
  auto arguments = call(request.dump());
  if (!arguments) return Error{arguments.error()};
  auto session = parse_transmission_session(*arguments);
  if (!session) return Error{name() + ": " + session.error()};
  speed_bytes_ = session->speed_bytes;
  return session->limits;
}

Result<void> TransmissionClient::set_limits(const ClientLimits& limits) {
  auto done = call(format_transmission_limits(limits, speed_bytes_));
  if (!done) return Error{done.error()};
  return success();
}

ClientLimits TransmissionClient::stored_form(const ClientLimits& limits) const {
  ClientLimits stored = limits;
  stored.upload = stored_limit(limits.upload, speed_bytes_);
  stored.download = stored_limit(limits.download, speed_bytes_);
  if (stored.alternative_upload)
    stored.alternative_upload = stored_limit(*limits.alternative_upload, speed_bytes_);
  if (stored.alternative_download)
    stored.alternative_download = stored_limit(*limits.alternative_download, speed_bytes_);
  return stored;
}

}  // namespace nettoll
