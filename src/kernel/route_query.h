// SPDX-License-Identifier: Apache-2.0
// Asking the kernel which interface it would use for a destination
// (RTM_GETROUTE), so policy routing such as wg-quick's is respected, and
// putting that together into the interface nettoll should manage.
#pragma once

#include <optional>
#include <string>

#include "core/active_interface.h"
#include "core/result.h"
#include "kernel/netlink_socket.h"

namespace nettoll {

// The RTA_OIF of one RTM_NEWROUTE reply, or 0 for any other message or
// a route without one.
int parse_route_output_interface(const nlmsghdr* reply);

// The output interface of the route the kernel would take to `address` (an
// IPv4 or IPv6 literal), or nullopt when it has none. Sends no packet.
Result<std::optional<std::string>> route_interface_to(NetlinkSocket& socket, const std::string& address);

// The interface nettoll should manage now for `configured` ("auto" or a name).
Result<InterfaceChoice> find_active_interface(NetlinkSocket& socket, const std::string& configured);

}  // namespace nettoll
