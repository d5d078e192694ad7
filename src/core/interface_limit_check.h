// SPDX-License-Identifier: Apache-2.0
// `nettoll check`'s warnings about `interfaces:` limits that cannot work as
// written: a burst below one frame or below one tick's worth, a latency whose
// queue is shorter than the burst. Pure: the kernel's HZ and the devices'
// frames come in as values.
#pragma once

#include <vector>

#include "core/config.h"
#include "core/diagnostic.h"
#include "core/planner.h"

namespace nettoll {

// One warning per problem, at the limit's `burst:` (or its name when the
// burst is auto), for the frame each device has now (Ethernet defaults when
// absent from `devices`).
std::vector<Diagnostic> interface_limit_warnings(const Config& config, const KernelCapabilities& kernel,
                                                 const ListedDevices& devices);

}  // namespace nettoll
