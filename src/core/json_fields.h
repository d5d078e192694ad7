// SPDX-License-Identifier: Apache-2.0
// JsonFields: reads the fields of a JSON object body (hooks, API requests)
// with errors that name the field. Unknown fields are errors, so a typo in a
// template is reported instead of silently ignored.
#pragma once

#include <nlohmann/json.hpp>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "core/result.h"

namespace nettoll {

// Checks that `object` is a JSON object whose keys are all in `known`.
// Fails with "expected a JSON object" or "FIELD: unknown field; known ...".
Result<void> check_known_fields(const nlohmann::json& object, const std::vector<std::string_view>& known);

// Parses `body` as a JSON object whose keys are all in `known`. Fails with
// "malformed JSON ...", "expected a JSON object" or "FIELD: unknown field".
Result<nlohmann::json> parse_json_object(std::string_view body, const std::vector<std::string_view>& known);

// The string value of `field`, nullopt when absent or null. Fails with
// "FIELD: expected a string" on another type.
Result<std::optional<std::string>> string_field(const nlohmann::json& object, std::string_view field);

// As string_field, but an absent, null or empty value is an error.
Result<std::string> required_string_field(const nlohmann::json& object, std::string_view field);

}  // namespace nettoll
