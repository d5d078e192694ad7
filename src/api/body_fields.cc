// SPDX-License-Identifier: Apache-2.0
#include "api/body_fields.h"

#include <algorithm>

namespace nettoll {
namespace {

const char* type_name(FieldType type) {
  switch (type) {
    case FieldType::string:
      return "a string";
    case FieldType::number:
      return "a number";
    case FieldType::boolean:
      return "true or false";
    case FieldType::object:
      return "an object";
    case FieldType::array:
      return "a list";
    case FieldType::string_or_number:
      return "a string or a number";
  }
  return "a value";
}

const char* describe(const nlohmann::json& value) {
  if (value.is_string()) return "a string";
  if (value.is_number()) return "a number";
  if (value.is_boolean()) return "a boolean";
  if (value.is_object()) return "an object";
  if (value.is_array()) return "a list";
  return "null";
}

bool has_type(const nlohmann::json& value, FieldType type) {
  switch (type) {
    case FieldType::string:
      return value.is_string();
    case FieldType::number:
      return value.is_number();
    case FieldType::boolean:
      return value.is_boolean();
    case FieldType::object:
      return value.is_object();
    case FieldType::array:
      return value.is_array();
    case FieldType::string_or_number:
      return value.is_string() || value.is_number();
  }
  return false;
}

}  // namespace

std::optional<std::string> check_fields(const nlohmann::json& body, std::initializer_list<FieldSpec> fields) {
  if (!body.is_object()) return std::string("expected a JSON object, got ") + describe(body);
  for (const auto& [name, value] : body.items()) {
    // An init-capture: clang before 16 cannot capture a structured binding.
    const auto spec = std::find_if(fields.begin(), fields.end(),
                                   [&key = name](const FieldSpec& f) { return f.name == key; });
    if (spec == fields.end()) return "unknown field '" + name + "'";
    if (!value.is_null() && !has_type(value, spec->type)) {
      return "field '" + name + "': expected " + type_name(spec->type) + ", got " + describe(value);
    }
  }
  for (const FieldSpec& spec : fields) {
    const auto it = body.find(spec.name);
    if (spec.required && (it == body.end() || it->is_null()))
      return "missing field '" + std::string(spec.name) + "'";
  }
  return std::nullopt;
}

}  // namespace nettoll
