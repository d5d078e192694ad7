// SPDX-License-Identifier: Apache-2.0
// The body of the API's `POST /v1/reservations`, turned into a book event.
#pragma once

#include <string_view>

#include "core/reservation.h"
#include "core/result.h"

namespace nettoll {

// Parses {id, ip, upload, download?, duration?}: rates and the duration as
// strings in nettoll's units ("10mbit", "2h"). Fails naming the field on
// malformed JSON, unknown fields, wrong types and bad values.
Result<StreamEvent> parse_reservation_request(std::string_view body);

}  // namespace nettoll
