// SPDX-License-Identifier: Apache-2.0
// Cidr: an IPv4 or IPv6 network such as 192.168.0.0/16 or fc00::/7.
#pragma once

#include <array>
#include <cstdint>
#include <string>
#include <string_view>

#include "core/result.h"

namespace nettoll {

struct Cidr {
  bool ipv6 = false;
  std::array<uint8_t, 16> address{};  // network order; IPv4 uses the first 4 bytes
  int prefix_length = 0;

  // True when `address` (same family, network order) lies inside this network.
  bool contains(bool address_is_ipv6, const std::array<uint8_t, 16>& other) const;
  bool operator==(const Cidr&) const = default;
};

// Parses "10.0.0.0/8", "fc00::/7" or a bare address (a /32 or /128). Fails on
// a bad address, a prefix out of range, or host bits set ("10.0.0.1/8").
Result<Cidr> parse_cidr(std::string_view text);

// Parses a bare IPv4 or IPv6 address into the form Cidr::contains takes.
Result<Cidr> parse_ip_address(std::string_view text);

std::string format_cidr(const Cidr& cidr);

}  // namespace nettoll
