// SPDX-License-Identifier: Apache-2.0
// Network interfaces through rtnetlink: look up, list, create IFB devices,
// delete, bring up.
#pragma once

#include <cstdint>
#include <optional>
#include <string>
#include <vector>

#include "core/result.h"
#include "kernel/netlink_socket.h"

namespace nettoll {

struct LinkInfo {
  int ifindex = 0;
  std::string name;
  uint32_t mtu = 0;
  bool up = false;    // administratively up (IFF_UP)
  std::string kind;   // IFLA_INFO_KIND: "veth", "ifb", ...; "" for physical devices and lo
  uint16_t type = 0;  // ARPHRD_*: ARPHRD_ETHER, ARPHRD_NONE (tun, wireguard), ...
  // IFLA_LINK_NETNSID: the peer (of a veth) lives in the namespace with this
  // id, as the link's own namespace numbers it.
  std::optional<int32_t> peer_nsid;
  int master = 0;  // IFLA_MASTER: the bridge (or bond) it is enslaved to; 0 = none
};

// Decodes one RTM_NEWLINK reply (a get or dump); nullopt for any other
// message or one too short for its ifinfomsg.
std::optional<LinkInfo> parse_link(const nlmsghdr* reply);

// The interface called `name`. Fails with "no interface named NAME" when
// there is none in the socket's namespace.
Result<LinkInfo> find_link(NetlinkSocket& socket, const std::string& name);

// The interface with index `ifindex`. Fails with "no interface with index N".
Result<LinkInfo> find_link(NetlinkSocket& socket, int ifindex);

// Every interface in the socket's namespace, in ifindex order.
Result<std::vector<LinkInfo>> list_links(NetlinkSocket& socket);

// Creates an IFB device `name` (down). Fails when the name is taken or longer
// than IFNAMSIZ-1, or the kernel lacks ifb.
Result<void> create_ifb(NetlinkSocket& socket, const std::string& name);

// Deletes the interface `name` / with index `ifindex`. Fails when it does not
// exist or cannot be deleted (physical devices).
Result<void> delete_link(NetlinkSocket& socket, const std::string& name);
Result<void> delete_link(NetlinkSocket& socket, int ifindex);

// Sets IFF_UP on the interface. Fails when it does not exist.
Result<void> set_link_up(NetlinkSocket& socket, int ifindex);

// The interface's name for error messages, or "interface #N" when it cannot
// be found. Never fails.
std::string link_label(NetlinkSocket& socket, int ifindex);

}  // namespace nettoll
