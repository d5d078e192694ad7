// SPDX-License-Identifier: Apache-2.0
// Reading what the kernel holds on a set of devices into the ObservedKernel
// the reconciler compares with a Plan.
#pragma once

#include <string>
#include <vector>

#include "core/kernel_state.h"
#include "core/result.h"
#include "kernel/netlink_socket.h"

namespace nettoll {

// Qdiscs, HTB classes and clsact filters of each named device; a device that
// does not exist is recorded as absent. Fails on a kernel error.
Result<ObservedKernel> observe_devices(NetlinkSocket& socket, const std::vector<std::string>& devices);

}  // namespace nettoll
