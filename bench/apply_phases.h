// SPDX-License-Identifier: Apache-2.0
// Where the time of one apply goes: the same steps as Shaper::apply (observe
// the kernel, reconcile, carry out each change), timed one by one and grouped
// by kind of change, to explain a slow apply.
#pragma once

#include <map>
#include <string>
#include <vector>

#include "core/plan.h"
#include "core/result.h"
#include "kernel/netlink_socket.h"

namespace nettoll::bench {

struct ChangeKindTime {
  size_t count = 0;
  double total_ms = 0;
};

struct ApplyPhases {
  double observe_ms = 0;                          // dumping qdiscs, classes and filters
  double reconcile_ms = 0;                        // the pure comparison
  std::map<std::string, ChangeKindTime> changes;  // by kind: "AddClass", "ReplaceLeaf"...
  std::vector<double> add_class_us;               // each AddClass in order: does the cost grow with the tree?
};

// Applies `plan` (on a kernel without nettoll's objects, or holding an earlier
// plan for the same interface) step by step through `socket`, timing each
// step. Fails like Shaper::apply but does not roll back.
Result<ApplyPhases> apply_in_phases(NetlinkSocket& socket, const Plan& plan);

// Microseconds per RTM_GETTCLASS of class `id` on `device`, averaged over
// `repeats` requests: the parent check add_htb_class makes before every add.
Result<double> class_probe_us(NetlinkSocket& socket, const std::string& device, Handle id, int repeats);

}  // namespace nettoll::bench
