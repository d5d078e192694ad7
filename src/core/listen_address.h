// SPDX-License-Identifier: Apache-2.0
// ListenAddress: where the HTTP API listens over TCP (`reservations: api`).
// Only loopback addresses: the API speaks plain HTTP, and it refuses requests
// whose Host is not a loopback name, so a wider address would serve no one.
#pragma once

#include <cstdint>
#include <string>
#include <string_view>

#include "core/result.h"

namespace nettoll {

struct ListenAddress {
  std::string host;  // a numeric loopback address: 127.0.0.1, ::1
  uint16_t port = 0;
  bool operator==(const ListenAddress&) const = default;
};

// Parses "127.0.0.1:7657", "[::1]:7657" or "localhost:7657"; fails with a
// message for a missing or bad port and for an address that is not loopback.
Result<ListenAddress> parse_listen_address(std::string_view text);

// True for 127.0.0.0/8 and ::1 written numerically.
bool is_loopback_address(std::string_view address);

}  // namespace nettoll
