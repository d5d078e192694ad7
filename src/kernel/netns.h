// SPDX-License-Identifier: Apache-2.0
// Entering a named network namespace (as `ip netns` creates them), for
// `--netns NAME`: netlink sockets opened afterwards by the calling thread
// manage that namespace.
#pragma once

#include <string>

#include "core/result.h"

namespace nettoll {

// Moves the calling thread into the network namespace /run/netns/NAME. Fails
// with a message naming the namespace when it does not exist, the name is not
// a plain name, or setns is refused (not root).
Result<void> enter_network_namespace(const std::string& name);

}  // namespace nettoll
