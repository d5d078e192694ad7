// SPDX-License-Identifier: Apache-2.0
#include "core/jellyfin_hook.h"

#include <algorithm>
#include <cctype>
#include <string>

#include "core/json_fields.h"

namespace nettoll {
namespace {

Result<bool> paused_field(const nlohmann::json& object) {
  const auto it = object.find("IsPaused");
  if (it == object.end() || it->is_null()) return false;
  if (it->is_boolean()) return it->get<bool>();
  if (!it->is_string()) return Error{"IsPaused: expected true or false, got " + std::string(it->type_name())};
  std::string text = it->get<std::string>();
  std::transform(text.begin(), text.end(), text.begin(), [](unsigned char c) { return std::tolower(c); });
  if (text == "true") return true;
  if (text == "false" || text.empty()) return false;
  return Error{"IsPaused: expected true or false, got '" + it->get<std::string>() + "'"};
}

Result<StreamAction> action_of(const std::string& type, bool paused) {
  if (type == "PlaybackStart") return StreamAction::play;
  if (type == "PlaybackProgress") return paused ? StreamAction::pause : StreamAction::resume;
  if (type == "PlaybackStop") return StreamAction::stop;
  return Error{"NotificationType: unknown '" + type +
               "'; expected PlaybackStart, PlaybackProgress or PlaybackStop"};
}

}  // namespace

Result<StreamEvent> parse_jellyfin_webhook(std::string_view body, std::optional<Rate> default_upload) {
  auto object = parse_json_object(body, {"NotificationType", "DeviceId", "Id", "RemoteEndPoint", "IsPaused"});
  if (!object) return Error{object.error()};
  auto type = required_string_field(*object, "NotificationType");
  if (!type) return Error{type.error()};
  // The reservation is the viewer's device ({{DeviceId}}): two viewers of
  // one film are two streams. `Id` is kept for templates that map it.
  auto id = object->contains("DeviceId") ? required_string_field(*object, "DeviceId")
                                         : required_string_field(*object, "Id");
  if (!id) return Error{id.error()};
  auto remote = string_field(*object, "RemoteEndPoint");
  if (!remote) return Error{remote.error()};
  auto paused = paused_field(*object);
  if (!paused) return Error{paused.error()};
  auto action = action_of(*type, *paused);
  if (!action) return Error{action.error()};

  StreamEvent event;
  event.source = ReservationSource::jellyfin;
  event.action = *action;
  event.id = *id;
  event.remote_ip = remote->value_or("");
  if (event.action == StreamAction::play || event.action == StreamAction::resume) {
    if (!default_upload) {
      return Error{"NotificationType: Jellyfin sends no bitrate; set reservations: jellyfin: default-upload"};
    }
    event.upload = *default_upload;
  }
  return event;
}

}  // namespace nettoll
