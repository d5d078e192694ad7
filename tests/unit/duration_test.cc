// SPDX-License-Identifier: Apache-2.0
#include "core/duration.h"

#include <gtest/gtest.h>

namespace nettoll {
namespace {

using std::chrono::microseconds;
using std::chrono::milliseconds;

TEST(ParseDuration, Units) {
  EXPECT_EQ(*parse_duration("500us"), microseconds(500));
  EXPECT_EQ(*parse_duration("500usec"), microseconds(500));
  EXPECT_EQ(*parse_duration("20ms"), milliseconds(20));
  EXPECT_EQ(*parse_duration("20msec"), milliseconds(20));
  EXPECT_EQ(*parse_duration("1.5s"), milliseconds(1500));
  EXPECT_EQ(*parse_duration("2sec"), std::chrono::seconds(2));
  EXPECT_EQ(*parse_duration("2min"), std::chrono::minutes(2));
  EXPECT_EQ(*parse_duration("1h"), std::chrono::hours(1));
  EXPECT_EQ(*parse_duration("20MS"), milliseconds(20));
  EXPECT_EQ(*parse_duration("20 ms"), milliseconds(20));
}

TEST(ParseDuration, Failures) {
  for (const char* text : {"20", "ms", "", "20 parsecs", "fast", "1.2.3s"}) {
    const auto duration = parse_duration(text);
    ASSERT_FALSE(duration.ok()) << text;
    EXPECT_NE(duration.error().find("expected a number and a unit"), std::string::npos) << duration.error();
  }
  const auto negative = parse_duration("-5ms");
  ASSERT_FALSE(negative.ok());
  EXPECT_EQ(negative.error(), "duration '-5ms' is negative");
}

TEST(FormatDuration, ShortestExactForm) {
  EXPECT_EQ(format_duration(milliseconds(20)), "20ms");
  EXPECT_EQ(format_duration(milliseconds(1500)), "1.5s");
  EXPECT_EQ(format_duration(std::chrono::seconds(2)), "2s");
  EXPECT_EQ(format_duration(microseconds(250)), "250us");
  EXPECT_EQ(format_duration(microseconds(0)), "0us");
}

}  // namespace
}  // namespace nettoll
