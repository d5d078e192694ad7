// SPDX-License-Identifier: Apache-2.0
// Listing the TCP and UDP sockets of a network namespace through sock_diag
// (NETLINK_SOCK_DIAG, INET_DIAG dumps): their local port and inode, which
// /proc/PID/fd links back to processes. What the fallback classifier polls.
#pragma once

#include <sys/types.h>

#include <cstdint>
#include <optional>
#include <set>
#include <vector>

#include "core/port_filters.h"
#include "core/result.h"
#include "kernel/netlink_socket.h"

namespace nettoll {

// The socket one SOCK_DIAG_BY_FAMILY reply describes (for a dump of
// `protocol`), or nullopt for a short message or a socket without an inode.
std::optional<LocalSocket> parse_diag_socket(const nlmsghdr* reply, uint8_t protocol);

// Every IPv4 and IPv6 TCP and UDP socket of the namespace `diag_socket`
// (opened with NETLINK_SOCK_DIAG) belongs to, in any state but TIME_WAIT
// (which no process holds). Fails with "cannot list the ... sockets: ...".
Result<std::vector<LocalSocket>> dump_local_sockets(NetlinkSocket& diag_socket);

// The inodes of the sockets process `pid` holds open (its /proc/PID/fd
// links "socket:[INODE]"); empty when the process is gone.
std::set<uint64_t> socket_inodes_of(pid_t pid);

}  // namespace nettoll
