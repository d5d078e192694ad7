// SPDX-License-Identifier: Apache-2.0
// The proc connector datagram decoder on arbitrary bytes: events out, never
// a read outside the datagram, and only process-level events (a thread's
// fork or exit is dropped).
#include <cstddef>
#include <cstdint>
#include <cstring>
#include <vector>

#include "fuzz_check.h"
#include "kernel/proc_connector.h"

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size) {
  using nettoll::fuzz::check;
  // An exact-size copy, so ASan sees any read past the datagram.
  std::vector<char> datagram(data, data + size);
  std::vector<nettoll::ProcEvent> events;
  nettoll::parse_proc_datagram(datagram.data(), datagram.size(), events);
  // Each event needs a message of its own: a netlink header and a cn_msg at least.
  check(events.size() <= size / 36, "no more events than the datagram has messages");
  for (const nettoll::ProcEvent& event : events) {
    check(event.name.size() <= 16, "a comm is at most 16 bytes");
    check(event.kind >= nettoll::ProcEvent::fork && event.kind <= nettoll::ProcEvent::uid, "a known kind");
  }
  return 0;
}
