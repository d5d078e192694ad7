// SPDX-License-Identifier: Apache-2.0
#include "core/json_fields.h"

#include <algorithm>

namespace nettoll {

Result<nlohmann::json> parse_json_object(std::string_view body, const std::vector<std::string_view>& known) {
  nlohmann::json object = nlohmann::json::parse(body, nullptr, /*allow_exceptions=*/false);
  if (object.is_discarded()) return Error{"malformed JSON: expected an object such as {\"id\": \"...\"}"};
  if (auto known_only = check_known_fields(object, known); !known_only) return Error{known_only.error()};
  return object;
}

Result<void> check_known_fields(const nlohmann::json& object, const std::vector<std::string_view>& known) {
  if (!object.is_object()) return Error{"expected a JSON object, got " + std::string(object.type_name())};
  for (const auto& [key, value] : object.items()) {
    if (std::find(known.begin(), known.end(), key) == known.end()) {
      std::string list;
      for (std::string_view name : known) list += (list.empty() ? "" : ", ") + std::string(name);
      return Error{key + ": unknown field; known fields are " + list};
    }
  }
  return success();
}

Result<std::optional<std::string>> string_field(const nlohmann::json& object, std::string_view field) {
  const auto it = object.find(field);
  if (it == object.end() || it->is_null()) return std::optional<std::string>();
  if (!it->is_string()) {
    return Error{std::string(field) + ": expected a string, got " + std::string(it->type_name())};
  }
  return std::optional<std::string>(it->get<std::string>());
}

Result<std::string> required_string_field(const nlohmann::json& object, std::string_view field) {
  auto value = string_field(object, field);
  if (!value) return Error{value.error()};
  if (!*value || (*value)->empty()) return Error{std::string(field) + ": required"};
  return **value;
}

}  // namespace nettoll
