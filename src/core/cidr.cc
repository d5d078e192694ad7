// SPDX-License-Identifier: Apache-2.0
#include "core/cidr.h"

#include <arpa/inet.h>

#include <charconv>

namespace nettoll {

bool Cidr::contains(bool address_is_ipv6, const std::array<uint8_t, 16>& other) const {
  if (address_is_ipv6 != ipv6) return false;
  int remaining = prefix_length;
  for (size_t i = 0; remaining > 0; ++i, remaining -= 8) {
    const uint8_t mask = remaining >= 8 ? 0xff : static_cast<uint8_t>(0xff << (8 - remaining));
    if ((address[i] & mask) != (other[i] & mask)) return false;
  }
  return true;
}

Result<Cidr> parse_ip_address(std::string_view text) {
  const std::string host(text);
  Cidr cidr;
  if (inet_pton(AF_INET, host.c_str(), cidr.address.data()) == 1) {
    cidr.prefix_length = 32;
    return cidr;
  }
  if (inet_pton(AF_INET6, host.c_str(), cidr.address.data()) == 1) {
    cidr.ipv6 = true;
    cidr.prefix_length = 128;
    return cidr;
  }
  return Error{"bad IP address '" + host + "'"};
}

Result<Cidr> parse_cidr(std::string_view text) {
  const size_t slash = text.find('/');
  auto parsed = parse_ip_address(text.substr(0, slash));
  if (!parsed)
    return Error{"bad network '" + std::string(text) + "': expected an address/prefix such as 10.0.0.0/8"};
  Cidr cidr = *parsed;
  if (slash == std::string_view::npos) return cidr;
  const std::string_view prefix = text.substr(slash + 1);
  int length = -1;
  auto [end, ec] = std::from_chars(prefix.data(), prefix.data() + prefix.size(), length);
  const int max_length = cidr.ipv6 ? 128 : 32;
  if (prefix.empty() || ec != std::errc() || end != prefix.data() + prefix.size() || length < 0 ||
      length > max_length) {
    return Error{"bad prefix length in '" + std::string(text) + "': expected 0 to " +
                 std::to_string(max_length)};
  }
  cidr.prefix_length = length;
  Cidr network = cidr;
  for (int bit = length; bit < max_length; ++bit)
    network.address[bit / 8] &= static_cast<uint8_t>(~(0x80 >> (bit % 8)));
  if (network.address != cidr.address) {
    return Error{"network '" + std::string(text) + "' has host bits set; did you mean " +
                 format_cidr(network) + "?"};
  }
  return cidr;
}

std::string format_cidr(const Cidr& cidr) {
  char buffer[INET6_ADDRSTRLEN] = {};
  inet_ntop(cidr.ipv6 ? AF_INET6 : AF_INET, cidr.address.data(), buffer, sizeof buffer);
  return std::string(buffer) + "/" + std::to_string(cidr.prefix_length);
}

}  // namespace nettoll
