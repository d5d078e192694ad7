// SPDX-License-Identifier: Apache-2.0
#include "core/reservation_request.h"

#include "core/json_fields.h"

namespace nettoll {
namespace {

Result<std::optional<Rate>> rate_field(const nlohmann::json& object, std::string_view field) {
  auto text = string_field(object, field);
  if (!text) return Error{text.error()};
  if (!*text) return std::optional<Rate>();
  auto rate = parse_rate(**text);
  if (!rate) return Error{std::string(field) + ": " + rate.error()};
  return std::optional<Rate>(*rate);
}

}  // namespace

Result<StreamEvent> parse_reservation_request(std::string_view body) {
  auto object = parse_json_object(body, {"id", "ip", "upload", "download", "duration"});
  if (!object) return Error{object.error()};
  StreamEvent event;
  event.source = ReservationSource::api;
  event.action = StreamAction::play;
  auto id = required_string_field(*object, "id");
  if (!id) return Error{id.error()};
  event.id = *id;
  auto ip = required_string_field(*object, "ip");
  if (!ip) return Error{ip.error()};
  if (auto address = parse_viewer_address(*ip); !address) return Error{"ip: " + address.error()};
  event.remote_ip = *ip;
  auto upload = rate_field(*object, "upload");
  if (!upload) return Error{upload.error()};
  if (!*upload) return Error{"upload: required, such as \"10mbit\""};
  event.upload = *upload;
  auto download = rate_field(*object, "download");
  if (!download) return Error{download.error()};
  event.download = *download;
  auto duration = string_field(*object, "duration");
  if (!duration) return Error{duration.error()};
  if (*duration) {
    auto parsed = parse_duration(**duration);
    if (!parsed) return Error{"duration: " + parsed.error()};
    if (parsed->count() == 0) return Error{"duration: must be more than 0"};
    event.remaining = *parsed;
  }
  return event;
}

}  // namespace nettoll
