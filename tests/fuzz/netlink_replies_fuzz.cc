// SPDX-License-Identifier: Apache-2.0
// The rtnetlink reply decoders (links, qdiscs, HTB classes, routes) on
// arbitrary bytes, split into messages as the daemon's reply loop splits a
// receive buffer: each message goes to the decoder for its type.
#include <linux/rtnetlink.h>

#include <cstddef>
#include <cstdint>

#include "fuzz_check.h"
#include "kernel/htb_classes.h"
#include "kernel/links.h"
#include "kernel/qdiscs.h"
#include "kernel/route_query.h"

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size) {
  using nettoll::fuzz::check;
  nettoll::fuzz::for_each_message(data, size, [](const nlmsghdr* message) {
    switch (message->nlmsg_type) {
      case RTM_NEWLINK: {
        auto link = nettoll::parse_link(message);
        if (link) check(link->name.size() < 4096, "a link name fits in its message");
        break;
      }
      case RTM_NEWQDISC: {
        auto qdisc = nettoll::parse_qdisc(message);
        if (qdisc) check(qdisc->kind.size() < 4096, "a qdisc kind fits in its message");
        break;
      }
      case RTM_NEWTCLASS: {
        auto htb_class = nettoll::parse_class(message);
        if (htb_class) check(htb_class->kind.size() < 4096, "a class kind fits in its message");
        break;
      }
      case RTM_NEWROUTE:
        (void)nettoll::parse_route_output_interface(message);
        break;
      default:
        // Any other type must be ignored by every decoder.
        check(!nettoll::parse_link(message).has_value(), "only RTM_NEWLINK is a link");
        check(nettoll::parse_route_output_interface(message) == 0, "only RTM_NEWROUTE is a route");
        break;
    }
  });
  return 0;
}
