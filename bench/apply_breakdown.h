// SPDX-License-Identifier: Apache-2.0
// Where an apply's time goes, printed: the steps of Shaper::apply timed one by
// one for a first apply and a rate-only change, whether adding a class costs
// more as the tree grows, and what add_htb_class's parent check costs.
#pragma once

#include <cstddef>

#include "core/plan.h"
#include "kernel/netlink_socket.h"

namespace nettoll::bench {

// Applies `plan` then `changed_plan` on a kernel without nettoll's objects,
// reports the figures, and clears what it created.
void report_apply_breakdown(NetlinkSocket& socket, size_t rules, const Plan& plan, const Plan& changed_plan);

}  // namespace nettoll::bench
