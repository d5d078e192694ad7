// SPDX-License-Identifier: Apache-2.0
// What jellyfin-plugin-webhook sends (a JSON template the user pastes, sent
// as text/plain by default), turned into a book event.
#pragma once

#include <optional>
#include <string_view>

#include "core/rate.h"
#include "core/reservation.h"
#include "core/result.h"

namespace nettoll {

// Parses {NotificationType, Id, RemoteEndPoint, IsPaused}: PlaybackStart is a
// play, PlaybackProgress a pause or resume (IsPaused: true/false, as JSON or
// as the "True"/"False" strings Handlebars prints), PlaybackStop a stop. The
// webhook carries no bitrate: plays reserve `default_upload`. Fails naming
// the field; a play without `default_upload` fails too.
Result<StreamEvent> parse_jellyfin_webhook(std::string_view body, std::optional<Rate> default_upload);

}  // namespace nettoll
