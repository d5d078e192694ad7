// SPDX-License-Identifier: Apache-2.0
// Which processes live in the network namespaces the calling thread's
// namespace knows by id (the `link_netnsid` of a container's veth): each
// process's /proc/PID/ns/net, and one RTM_GETNSID (NETNSA_FD) per distinct
// namespace, not per process.
#pragma once

#include <cstdint>
#include <set>
#include <vector>

#include "core/namespace_containers.h"
#include "core/result.h"
#include "kernel/netlink_socket.h"

namespace nettoll {

// The id `socket`'s namespace gives the network namespace open as
// `netns_fd`, or -1 when it gave it none. Fails with the kernel's refusal.
Result<int32_t> namespace_id_of(NetlinkSocket& socket, int netns_fd);

// The processes (with their cgroups) in the namespaces `nsids` (as
// `socket`'s namespace numbers them). Processes that exit meanwhile, or
// whose namespace cannot be opened, are left out. Fails when /proc cannot
// be listed.
Result<std::vector<NamespaceProcess>> processes_in_namespaces(NetlinkSocket& socket,
                                                              const std::set<int32_t>& nsids);

}  // namespace nettoll
