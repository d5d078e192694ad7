// SPDX-License-Identifier: Apache-2.0
// An interface's GSO and GRO aggregate sizes: read and set through rtnetlink.
// nettoll lowers them while shaping with small byte fifos (see the planner).
#pragma once

#include <cstdint>
#include <string>

#include "core/result.h"
#include "kernel/netlink_socket.h"

namespace nettoll {

struct GsoLimits {
  uint32_t gso_max_size = 0;
  uint32_t gro_max_size = 0;  // 0 on kernels before 5.19, which do not report it
};

// The sizes of interface `ifindex`. Fails when it does not exist.
Result<GsoLimits> read_gso_limits(NetlinkSocket& socket, int ifindex, const std::string& device);

// Sets both sizes to `size` bytes, then invalidates the namespace's cached
// IPv4 routes: a TCP socket copies the GSO size when it routes, so without
// that, connections opened before keep sending aggregates of the old size.
// Fails with the kernel's reason.
Result<void> set_gso_limits(NetlinkSocket& socket, int ifindex, const std::string& device, uint32_t size);

// Puts back sizes read before (`limits`, a GRO size of 0 is left alone), with
// the same route cache invalidation. Fails with the kernel's reason.
Result<void> restore_gso_limits(NetlinkSocket& socket, int ifindex, const std::string& device,
                                GsoLimits limits);

}  // namespace nettoll
