// SPDX-License-Identifier: Apache-2.0
// Planning for a real interface: what the planner needs from the kernel (MTU,
// GSO size, capabilities), read and passed to the pure planner.
#pragma once

#include <cstdint>
#include <map>
#include <string>

#include "core/config.h"
#include "core/plan.h"
#include "core/planner.h"
#include "core/reserved_stream.h"
#include "core/result.h"
#include "core/stream_classes.h"
#include "kernel/netlink_socket.h"

namespace nettoll {

// An interface's GSO size as first seen, before nettoll lowered it: later
// plans must start from it, not from nettoll's own lowered value.
using NaturalGsoSizes = std::map<std::string, uint32_t>;

// The MTU and link-layer header of each `interfaces:` device present now.
ListedDevices observe_listed_devices(NetlinkSocket& socket, const Config& config);

// The plan of `config` for `interface`. A config that shapes nothing gives an
// empty plan (which removes nettoll's objects); an empty name (no managed
// interface) a plan with the `interfaces:` limits only. Fails when the
// interface cannot be read.
// `streams` are the active reservations, `slots` their classes in the last plan.
Result<Plan> plan_for_interface(NetlinkSocket& socket, const Config& config, const std::string& interface,
                                NaturalGsoSizes& natural_gso, const std::vector<ReservedStream>& streams = {},
                                const StreamSlots& slots = {});

}  // namespace nettoll
