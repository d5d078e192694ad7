// SPDX-License-Identifier: Apache-2.0
#include "core/json_fields.h"

#include <gtest/gtest.h>

namespace nettoll {
namespace {

TEST(JsonFields, AcceptsKnownFieldsAndNullAsAbsent) {
  auto object = parse_json_object(R"({"ip": "203.0.113.5", "id": null})", {"id", "ip"});
  ASSERT_TRUE(object) << object.error();
  EXPECT_EQ(*required_string_field(*object, "ip"), "203.0.113.5");
  EXPECT_EQ(*string_field(*object, "id"), std::nullopt);
}

TEST(JsonFields, NamesAnUnknownField) {
  auto object = parse_json_object(R"({"ip": "a", "uplaod": 2})", {"ip", "upload"});
  ASSERT_FALSE(object);
  EXPECT_EQ(object.error(), "uplaod: unknown field; known fields are ip, upload");
}

TEST(JsonFields, NamesAFieldOfTheWrongTypeOrMissing) {
  const auto object = nlohmann::json::parse(R"({"ip": 5, "id": ""})");
  EXPECT_EQ(string_field(object, "ip").error(), "ip: expected a string, got number");
  EXPECT_EQ(required_string_field(object, "id").error(), "id: required");
  EXPECT_EQ(required_string_field(object, "rate").error(), "rate: required");
}

TEST(JsonFields, WantsAnObject) {
  EXPECT_EQ(check_known_fields(nlohmann::json::parse("[1]"), {"ip"}).error(),
            "expected a JSON object, got array");
  EXPECT_EQ(parse_json_object("{", {"ip"}).error().rfind("malformed JSON", 0), 0u);
}

}  // namespace
}  // namespace nettoll
