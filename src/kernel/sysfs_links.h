// SPDX-License-Identifier: Apache-2.0
// The MTU and link type of `interfaces:` devices read from sysfs
// (/sys/class/net/NAME/{mtu,type}): enough for `plan`, `check`, `explain` and
// `export`, which run unprivileged and change nothing.
#pragma once

#include "core/config.h"
#include "core/planner.h"

namespace nettoll {

// The devices of `config.interfaces` that exist in this namespace; absent ones
// are left out. Never fails.
ListedDevices read_listed_devices_from_sysfs(const Config& config);

}  // namespace nettoll
