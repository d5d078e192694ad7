// SPDX-License-Identifier: Apache-2.0
// What Tautulli sends: the JSON of its Webhook agent and the argument list of
// its Script agent (the throttler script's `-play IP SESSION DURATION
// BANDWIDTH`), both turned into book events.
#pragma once

#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "core/reservation.h"
#include "core/result.h"

namespace nettoll {

// Parses a Webhook body: every value a string ("" and "N/A" = not given);
// stream_bandwidth in kbit/s, remaining_duration in minutes,
// remaining_duration_sec in seconds (preferred), stream_location lan|wan.
// Fails naming the field on malformed JSON, unknown fields or actions, and
// values that are not numbers.
Result<StreamEvent> parse_tautulli_webhook(std::string_view body);

// Parses `-play|-pause|-stop|-watched|-check IP SESSION [DURATION BANDWIDTH]`
// (DURATION minutes, BANDWIDTH kbit/s). Returns nullopt for -check: the
// daemon expires by itself. Fails naming the argument.
Result<std::optional<StreamEvent>> parse_tautulli_arguments(const std::vector<std::string>& arguments);

}  // namespace nettoll
