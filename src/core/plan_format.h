// SPDX-License-Identifier: Apache-2.0
// Printing a Plan: readable text for people, JSON for scripts and golden tests.
#pragma once

#include <nlohmann/json.hpp>
#include <string>

#include "core/plan.h"

namespace nettoll {

// Multi-line description of every object the plan creates, with tc-style
// handles ("7a:10") and rates in human units.
std::string format_plan(const Plan& plan);

// The same content as JSON (rates in bits/s, sizes in bytes, durations in µs).
nlohmann::json plan_to_json(const Plan& plan);

}  // namespace nettoll
