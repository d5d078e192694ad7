// SPDX-License-Identifier: Apache-2.0
#include "core/rate.h"

#include <gtest/gtest.h>

namespace nettoll {
namespace {

uint64_t bits(const char* text) {
  auto rate = parse_rate(text);
  EXPECT_TRUE(rate.ok()) << text << ": " << (rate.ok() ? "" : rate.error());
  return rate.ok() ? rate->bits_per_second() : 0;
}

TEST(ParseRate, BitUnits) {
  EXPECT_EQ(bits("1000"), 1000u);
  EXPECT_EQ(bits("1000bit"), 1000u);
  EXPECT_EQ(bits("10kbit"), 10'000u);
  EXPECT_EQ(bits("10mbit"), 10'000'000u);
  EXPECT_EQ(bits("2.5Mbit"), 2'500'000u);
  EXPECT_EQ(bits("1gbit"), 1'000'000'000u);
  EXPECT_EQ(bits("1tbit"), 1'000'000'000'000u);
}

TEST(ParseRate, ByteUnitsAreBytesAsInTc) {
  EXPECT_EQ(bits("100bps"), 800u);
  EXPECT_EQ(bits("100kbps"), 800'000u);
  EXPECT_EQ(bits("5mbps"), 40'000'000u);
  EXPECT_EQ(bits("1gbps"), 8'000'000'000u);
  EXPECT_EQ(bits("1tbps"), 8'000'000'000'000u);
}

TEST(ParseRate, IecUnits) {
  EXPECT_EQ(bits("1kibit"), 1024u);
  EXPECT_EQ(bits("1mibit"), 1048576u);
  EXPECT_EQ(bits("1gibit"), 1073741824u);
  EXPECT_EQ(bits("1kibps"), 8192u);
  EXPECT_EQ(bits("2mibps"), 2u * 8388608u);
}

TEST(ParseRate, RejectsBadInput) {
  EXPECT_FALSE(parse_rate("fast").ok());
  EXPECT_FALSE(parse_rate("10 parsecs").ok());
  EXPECT_FALSE(parse_rate("").ok());
  EXPECT_FALSE(parse_rate("mbit").ok());
  EXPECT_NE(parse_rate("-5mbit").error().find("negative"), std::string::npos);
  EXPECT_NE(parse_rate("0kbit").error().find("zero"), std::string::npos);
  EXPECT_NE(parse_rate("10xbit").error().find("kbit"), std::string::npos);
}

TEST(FormatRate, UsesBitsWithSiPrefixes) {
  EXPECT_EQ(format_rate(Rate::bits_per_second(10'000'000)), "10mbit");
  EXPECT_EQ(format_rate(Rate::bits_per_second(2'500'000)), "2.5mbit");
  EXPECT_EQ(format_rate(Rate::bytes_per_second(100'000)), "800kbit");
  EXPECT_EQ(format_rate(Rate::bits_per_second(999)), "999bit");
  EXPECT_EQ(format_rate(Rate::bits_per_second(1'000'000'000)), "1gbit");
}

TEST(ScaleRate, RoundsDown) {
  EXPECT_EQ(scale_rate(Rate::bits_per_second(1000), 0.5).bits_per_second(), 500u);
}

}  // namespace
}  // namespace nettoll
