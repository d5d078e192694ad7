// SPDX-License-Identifier: Apache-2.0
// Checks a JSON request body against the fields an endpoint accepts, so a
// handler refuses a bad request with a message naming the field before it
// changes anything. Pure.
#pragma once

#include <initializer_list>
#include <nlohmann/json.hpp>
#include <optional>
#include <string>
#include <string_view>

namespace nettoll {

enum class FieldType { string, number, boolean, object, array, string_or_number };

struct FieldSpec {
  std::string_view name;
  FieldType type;
  bool required = false;
};

// Empty when `body` is an object whose fields are all listed in `fields`,
// of their types, with every required one present (null counts as absent);
// else one message: "unknown field 'x'", "field 'upload': expected a string,
// got a number", "missing field 'ip'", "expected a JSON object".
std::optional<std::string> check_fields(const nlohmann::json& body, std::initializer_list<FieldSpec> fields);

}  // namespace nettoll
