// SPDX-License-Identifier: Apache-2.0
// What the harnesses share: an invariant check that stops the fuzzer with
// a message (libFuzzer records the input as a crash), and netlink message
// iteration as NetlinkSocket::read_replies does it.
#pragma once

#include <libmnl/libmnl.h>

#include <cstddef>
#include <cstdint>
#include <cstdio>
#include <cstdlib>
#include <cstring>
#include <vector>

#include "kernel/netlink_socket.h"

namespace nettoll::fuzz {

inline void check(bool holds, const char* invariant) {
  if (holds) return;
  std::fprintf(stderr, "invariant broken: %s\n", invariant);
  std::abort();
}

// Calls `on_message` for every message of `data` that the daemon's reply
// loop (NetlinkSocket::read_replies) would pass on. The bytes are copied to
// a heap buffer of exactly their size (malloc aligns it for netlink), so
// AddressSanitizer catches a decoder reading past the end.
template <typename OnMessage>
void for_each_message(const uint8_t* data, size_t size, OnMessage on_message) {
  if (size == 0) return;
  std::vector<char> buffer(data, data + size);
  int remaining = static_cast<int>(size);
  auto* message = reinterpret_cast<const nlmsghdr*>(buffer.data());
  for (; netlink_message_fits(message, remaining); message = mnl_nlmsg_next(message, &remaining))
    on_message(message);
}

}  // namespace nettoll::fuzz
