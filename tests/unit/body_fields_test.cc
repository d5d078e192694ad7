// SPDX-License-Identifier: Apache-2.0
#include "api/body_fields.h"

#include <gtest/gtest.h>

namespace nettoll {
namespace {

std::optional<std::string> check(const char* json) {
  return check_fields(nlohmann::json::parse(json), {{"id", FieldType::string},
                                                    {"ip", FieldType::string, true},
                                                    {"upload", FieldType::string_or_number, true},
                                                    {"paused", FieldType::boolean}});
}

TEST(CheckFields, AcceptsKnownFieldsOfTheirTypes) {
  EXPECT_EQ(check(R"({"ip": "203.0.113.5", "upload": "10mbit"})"), std::nullopt);
  EXPECT_EQ(check(R"({"ip": "203.0.113.5", "upload": 1000, "id": "a", "paused": false})"), std::nullopt);
  EXPECT_EQ(check(R"({"ip": "203.0.113.5", "upload": 1000, "id": null})"), std::nullopt);
}

TEST(CheckFields, NamesAnUnknownField) {
  EXPECT_EQ(check(R"({"ip": "203.0.113.5", "upload": 1, "uplaod": 2})"), "unknown field 'uplaod'");
}

TEST(CheckFields, NamesAFieldOfTheWrongType) {
  EXPECT_EQ(check(R"({"ip": 5, "upload": 1})"), "field 'ip': expected a string, got a number");
  EXPECT_EQ(check(R"({"ip": "a", "upload": [1]})"),
            "field 'upload': expected a string or a number, got a list");
  EXPECT_EQ(check(R"({"ip": "a", "upload": 1, "paused": "yes"})"),
            "field 'paused': expected true or false, got a string");
}

TEST(CheckFields, NamesAMissingField) {
  EXPECT_EQ(check(R"({"upload": 1})"), "missing field 'ip'");
  EXPECT_EQ(check(R"({"ip": "a", "upload": null})"), "missing field 'upload'");
}

TEST(CheckFields, WantsAnObject) {
  EXPECT_EQ(check("[1]"), "expected a JSON object, got a list");
  EXPECT_EQ(check("null"), "expected a JSON object, got null");
}

}  // namespace
}  // namespace nettoll
