// SPDX-License-Identifier: Apache-2.0
// The fallback classifier in the kernel: u32 filters on nettoll's HTB qdisc
// that send a local port's packets to a rule's class. Per family, one u32
// filter preference holds a 256-bucket hash table (bucket = the port's low
// byte) and a link from the root table into it, so a packet is compared with
// the few filters of its bucket, not with every port. The port is read at a
// fixed offset (IPv4 without options, IPv6 without extension headers), like
// tc's `match ip sport`; later IPv4 fragments never match.
#pragma once

#include <linux/pkt_cls.h>

#include <cstdint>
#include <string>
#include <vector>

#include "core/plan.h"
#include "core/port_filters.h"
#include "core/result.h"
#include "kernel/netlink_socket.h"

namespace nettoll {

// The preferences of nettoll's port filters (IPv4, IPv6) on its HTB qdiscs.
inline constexpr uint16_t kPortFilterPrefIpv4 = 0x7a10;
inline constexpr uint16_t kPortFilterPrefIpv6 = 0x7a11;

// Where one direction's port filters go: the HTB qdisc on the managed
// interface (egress: match the source port) or on its IFB (ingress:
// destination port).
struct PortFilterSite {
  int ifindex = 0;
  std::string device;
  Handle qdisc;
  FilterDirection direction = FilterDirection::egress;
};

// A u32 selector with `keys` (at most kMaxU32Keys), and one key: host-order
// mask and value of the 32-bit word at `offset` from the network header.
inline constexpr size_t kMaxU32Keys = 8;
void put_u32_selector(nlmsghdr* header, const tc_u32_sel& selector, const std::vector<tc_u32_key>& keys);
tc_u32_key u32_key(uint32_t mask, uint32_t value, int offset);

// Creates both families' hash tables and links on the site's qdisc, first
// removing any nettoll left there. Fails with the kernel's reason, naming the
// device.
Result<void> create_port_tables(NetlinkSocket& socket, const PortFilterSite& site);

// Removes the site's port filters and tables; none there is not an error.
Result<void> remove_port_tables(NetlinkSocket& socket, const PortFilterSite& site);

// Adds or deletes one port filter at its handle.
Result<void> add_port_filter(NetlinkSocket& socket, const PortFilterSite& site,
                             const InstalledPortFilter& filter);
Result<void> delete_port_filter(NetlinkSocket& socket, const PortFilterSite& site,
                                const InstalledPortFilter& filter);

}  // namespace nettoll
