// SPDX-License-Identifier: Apache-2.0
// Duration: microseconds, parsed from "20ms", "1.5s", "500us", "2min", "1h".
#pragma once

#include <chrono>
#include <string>
#include <string_view>

#include "core/result.h"

namespace nettoll {

using Duration = std::chrono::microseconds;

// Parses a duration with a unit (us, usec, ms, msec, s, sec, min, h). Fails on
// a missing or unknown unit and on negative values.
Result<Duration> parse_duration(std::string_view text);

// Shortest exact human form: "20ms", "1.5s", "250us".
std::string format_duration(Duration duration);

}  // namespace nettoll
