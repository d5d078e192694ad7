// SPDX-License-Identifier: Apache-2.0
// HTB classes through rtnetlink: add, change in place, delete, and list with
// their parameters decoded and their statistics.
#pragma once

#include <cstdint>
#include <optional>
#include <string>
#include <vector>

#include "core/plan.h"
#include "core/rate.h"
#include "core/result.h"
#include "kernel/netlink_socket.h"
#include "kernel/tc_message.h"

namespace nettoll {

struct ClassInfo {
  Handle id;
  Handle parent;      // the qdisc (major:0) for a root class, as in HtbClass
  bool root = false;  // a root class of its qdisc
  std::string kind;   // "htb"
  Rate rate;          // decoded including TCA_HTB_RATE64/CEIL64
  Rate ceil;
  int prio = 0;
  uint32_t quantum = 0;
  uint32_t level = 0;        // 0 for leaf classes
  uint32_t burst_bytes = 0;  // as the kernel holds them (via psched ticks)
  uint32_t cburst_bytes = 0;
  std::optional<Handle> leaf_qdisc;  // the qdisc attached to a leaf class
  TcStats stats;
  int32_t tokens = 0;  // psched ticks left in the rate bucket (tc_htb_xstats)
  int32_t ctokens = 0;
  uint32_t lends = 0;
  uint32_t borrows = 0;
};

// Creates the class `htb_class.id` under `htb_class.parent` (a class, or the
// qdisc major:0 for a root class). A burst/cburst of 0 means tc's default
// (rate/HZ + 1600 bytes); a quantum of 0 lets the kernel derive it from r2q;
// a zero ceil means ceil = rate.
// Fails when the class exists, or when the parent class does not (the kernel
// would silently make it a root class; this checks first).
Result<void> add_htb_class(NetlinkSocket& socket, int ifindex, const HtbClass& htb_class);

// Changes an existing class's rate, ceil, bursts, quantum and prio in place,
// keeping its leaf qdisc and counters. Fails when the class does not exist.
Result<void> change_htb_class(NetlinkSocket& socket, int ifindex, const HtbClass& htb_class);

// Deletes class `id`. Fails when it does not exist or still has children or
// filters pointing to it.
Result<void> delete_htb_class(NetlinkSocket& socket, int ifindex, Handle id);

// Decodes one RTM_NEWTCLASS reply: ids, kind, HTB parameters, statistics;
// nullopt for a message too short for its tcmsg.
std::optional<ClassInfo> parse_class(const nlmsghdr* reply);

// The classes of every classful qdisc on `ifindex`, in the kernel's order.
Result<std::vector<ClassInfo>> list_classes(NetlinkSocket& socket, int ifindex);

}  // namespace nettoll
