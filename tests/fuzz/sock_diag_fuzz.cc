// SPDX-License-Identifier: Apache-2.0
// The sock_diag reply decoder on arbitrary bytes, split into messages as
// the daemon's dump loop does: a socket or nothing per message.
#include <netinet/in.h>

#include <cstddef>
#include <cstdint>

#include "fuzz_check.h"
#include "kernel/socket_diag.h"

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size) {
  using nettoll::fuzz::check;
  nettoll::fuzz::for_each_message(data, size, [](const nlmsghdr* message) {
    for (uint8_t protocol : {uint8_t(IPPROTO_TCP), uint8_t(IPPROTO_UDP)}) {
      auto socket = nettoll::parse_diag_socket(message, protocol);
      if (!socket) continue;
      check(socket->inode != 0, "a decoded socket has an inode");
      check(socket->protocol == protocol, "a decoded socket has the dump's protocol");
      check(!socket->v6_only || socket->family == nettoll::IpFamily::ipv6, "only IPv6 sockets are v6-only");
    }
  });
  return 0;
}
