// SPDX-License-Identifier: Apache-2.0
#include "core/state_document.h"

#include <nlohmann/json.hpp>

namespace nettoll {
namespace {

using nlohmann::json;
constexpr int kVersion = 1;

json limit_json(const SpeedLimit& limit) {
  return {{"bits_per_second", limit.rate.bits_per_second()}, {"enabled", limit.enabled}};
}

SpeedLimit limit_from(const json& value) {
  return {Rate::bits_per_second(value.at("bits_per_second").get<uint64_t>()),
          value.at("enabled").get<bool>()};
}

json limits_json(const ClientLimits& limits) {
  json value = {{"upload", limit_json(limits.upload)},
                {"download", limit_json(limits.download)},
                {"alternative_mode", limits.alternative_mode}};
  if (limits.alternative_upload) value["alternative_upload"] = limit_json(*limits.alternative_upload);
  if (limits.alternative_download) value["alternative_download"] = limit_json(*limits.alternative_download);
  return value;
}

ClientLimits limits_from(const json& value) {
  ClientLimits limits;
  limits.upload = limit_from(value.at("upload"));
  limits.download = limit_from(value.at("download"));
  limits.alternative_mode = value.at("alternative_mode").get<bool>();
  if (value.contains("alternative_upload"))
    limits.alternative_upload = limit_from(value["alternative_upload"]);
  if (value.contains("alternative_download"))
    limits.alternative_download = limit_from(value["alternative_download"]);
  return limits;
}

json reservation_json(const Reservation& reservation) {
  return {{"id", reservation.id},
          {"ip", reservation.remote_ip},
          {"upload_bits_per_second", reservation.upload.bits_per_second()},
          {"download_bits_per_second", reservation.download.bits_per_second()},
          {"expires_unix",
           std::chrono::duration_cast<std::chrono::seconds>(reservation.expires.time_since_epoch()).count()},
          {"source", std::string(to_string(reservation.source))},
          {"state", std::string(to_string(reservation.state))},
          {"lan", reservation.lan},
          {"download_given", reservation.download_given}};
}

Result<Reservation> reservation_from(const json& value) {
  Reservation reservation;
  reservation.id = value.at("id").get<std::string>();
  reservation.remote_ip = value.at("ip").get<std::string>();
  auto remote = parse_viewer_address(reservation.remote_ip);
  if (!remote) return Error{"reservation '" + reservation.id + "': ip: " + remote.error()};
  reservation.remote = *remote;
  reservation.upload = Rate::bits_per_second(value.at("upload_bits_per_second").get<uint64_t>());
  reservation.download = Rate::bits_per_second(value.at("download_bits_per_second").get<uint64_t>());
  reservation.expires = WallTime(std::chrono::seconds(value.at("expires_unix").get<int64_t>()));
  auto source = parse_reservation_source(value.at("source").get<std::string>());
  if (!source) return Error{"reservation '" + reservation.id + "': source: " + source.error()};
  reservation.source = *source;
  auto state = parse_reservation_state(value.at("state").get<std::string>());
  if (!state) return Error{"reservation '" + reservation.id + "': state: " + state.error()};
  reservation.state = *state;
  // Files written before these keys: keep what was recorded (a local viewer
  // stays local, the download stays as reserved).
  reservation.lan = value.value("lan", reservation.state == ReservationState::local);
  reservation.download_given = value.value("download_given", true);
  return reservation;
}

}  // namespace

std::string format_state_document(const StateDocument& state) {
  json document = {
      {"version", kVersion}, {"reservations", json::array()}, {"original_limits", json::object()}};
  for (const Reservation& reservation : state.reservations)
    document["reservations"].push_back(reservation_json(reservation));
  for (const auto& [name, limits] : state.original_limits)
    document["original_limits"][name] = limits_json(limits);
  return document.dump(2) + "\n";
}

Result<StateDocument> parse_state_document(std::string_view text) {
  const json document = json::parse(text, nullptr, /*allow_exceptions=*/false);
  if (document.is_discarded() || !document.is_object()) return Error{"malformed JSON"};
  try {
    if (document.at("version").get<int>() != kVersion) {
      return Error{"version: expected " + std::to_string(kVersion) + ", got " + document["version"].dump()};
    }
    StateDocument state;
    for (const json& item : document.at("reservations")) {
      auto reservation = reservation_from(item);
      if (!reservation) return Error{reservation.error()};
      state.reservations.push_back(std::move(*reservation));
    }
    for (const auto& [name, limits] : document.at("original_limits").items()) {
      state.original_limits[name] = limits_from(limits);
    }
    return state;
  } catch (const json::exception& error) {
    // nlohmann names the missing key or the wrong type in its message.
    return Error{std::string("bad value: ") + error.what()};
  }
}

}  // namespace nettoll
