// SPDX-License-Identifier: Apache-2.0
#include "core/data_size.h"

#include <gtest/gtest.h>

namespace nettoll {
namespace {

TEST(ParseDataSize, SiAndIecUnits) {
  EXPECT_EQ(*parse_data_size("1024B"), 1024u);
  EXPECT_EQ(*parse_data_size("20MB"), 20'000'000u);
  EXPECT_EQ(*parse_data_size("50GB"), 50'000'000'000u);
  EXPECT_EQ(*parse_data_size("1.5kB"), 1500u);
  EXPECT_EQ(*parse_data_size("2TB"), 2'000'000'000'000u);
  EXPECT_EQ(*parse_data_size("1KiB"), 1024u);
  EXPECT_EQ(*parse_data_size("2GiB"), 2u * 1024 * 1024 * 1024);
  EXPECT_EQ(*parse_data_size("1TiB"), 1099511627776u);
  EXPECT_EQ(*parse_data_size("20 mb"), 20'000'000u);
}

TEST(ParseDataSize, RatesAreRefusedAsRates) {
  for (const char* text : {"10mbit", "100kbps", "1gbit", "5000bit", "2mbps"}) {
    const auto size = parse_data_size(text);
    ASSERT_FALSE(size.ok()) << text;
    EXPECT_NE(size.error().find("is a rate, but a size is wanted"), std::string::npos) << size.error();
  }
}

TEST(ParseDataSize, Failures) {
  for (const char* text : {"20", "GB", "", "0GB", "-1GB", "1.2.3GB", "10 parsecs", "20XB"}) {
    EXPECT_FALSE(parse_data_size(text).ok()) << text;
  }
  EXPECT_NE(parse_data_size("20").error().find("expected a size such as"), std::string::npos);
  EXPECT_NE(parse_data_size("0GB").error().find("at least 1 byte"), std::string::npos);
}

TEST(FormatDataSize, ThreeSignificantDigits) {
  EXPECT_EQ(format_data_size(0), "0 B");
  EXPECT_EQ(format_data_size(999), "999 B");
  EXPECT_EQ(format_data_size(1500), "1.50 kB");
  EXPECT_EQ(format_data_size(20'000'000), "20.0 MB");
  EXPECT_EQ(format_data_size(999'600), "1.00 MB");
  EXPECT_EQ(format_data_size(123'456'789'012), "123 GB");
  EXPECT_EQ(format_data_size(1'234'000'000'000), "1.23 TB");
}

}  // namespace
}  // namespace nettoll
