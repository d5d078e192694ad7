// SPDX-License-Identifier: Apache-2.0
#include "core/cidr.h"

#include <gtest/gtest.h>

namespace nettoll {
namespace {

std::array<uint8_t, 16> address_of(const char* text) {
  const auto parsed = parse_ip_address(text);
  EXPECT_TRUE(parsed.ok()) << text;
  return parsed.ok() ? parsed->address : std::array<uint8_t, 16>{};
}

TEST(ParseCidr, Ipv4) {
  const auto cidr = parse_cidr("192.168.0.0/16");
  ASSERT_TRUE(cidr.ok()) << cidr.error();
  EXPECT_FALSE(cidr->ipv6);
  EXPECT_EQ(cidr->prefix_length, 16);
  EXPECT_EQ(format_cidr(*cidr), "192.168.0.0/16");
  EXPECT_TRUE(cidr->contains(false, address_of("192.168.44.3")));
  EXPECT_FALSE(cidr->contains(false, address_of("192.169.0.1")));
  EXPECT_FALSE(cidr->contains(true, address_of("fc00::1")));
}

TEST(ParseCidr, Ipv6) {
  const auto cidr = parse_cidr("fc00::/7");
  ASSERT_TRUE(cidr.ok()) << cidr.error();
  EXPECT_TRUE(cidr->ipv6);
  EXPECT_EQ(format_cidr(*cidr), "fc00::/7");
  EXPECT_TRUE(cidr->contains(true, address_of("fd12:3456::1")));
  EXPECT_FALSE(cidr->contains(true, address_of("fe80::1")));
}

TEST(ParseCidr, BareAddressIsAHostNetwork) {
  EXPECT_EQ(parse_cidr("10.1.2.3")->prefix_length, 32);
  EXPECT_EQ(parse_cidr("::1")->prefix_length, 128);
}

TEST(ParseCidr, ZeroPrefixContainsEverything) {
  const auto all = parse_cidr("0.0.0.0/0");
  ASSERT_TRUE(all.ok());
  EXPECT_TRUE(all->contains(false, address_of("203.0.113.9")));
}

TEST(ParseCidr, Failures) {
  EXPECT_EQ(parse_cidr("lan").error(), "bad network 'lan': expected an address/prefix such as 10.0.0.0/8");
  EXPECT_EQ(parse_cidr("300.0.0.0/8").error(),
            "bad network '300.0.0.0/8': expected an address/prefix such as 10.0.0.0/8");
  EXPECT_EQ(parse_cidr("10.0.0.0/33").error(), "bad prefix length in '10.0.0.0/33': expected 0 to 32");
  EXPECT_EQ(parse_cidr("fc00::/129").error(), "bad prefix length in 'fc00::/129': expected 0 to 128");
  EXPECT_EQ(parse_cidr("10.0.0.0/").error(), "bad prefix length in '10.0.0.0/': expected 0 to 32");
  EXPECT_EQ(parse_cidr("10.0.0.1/8").error(),
            "network '10.0.0.1/8' has host bits set; did you mean 10.0.0.0/8?");
}

TEST(ParseIpAddress, RejectsNetworks) { EXPECT_FALSE(parse_ip_address("10.0.0.0/8").ok()); }

}  // namespace
}  // namespace nettoll
