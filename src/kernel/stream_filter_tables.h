// SPDX-License-Identifier: Apache-2.0
// The fallback path's address filters for reserved streams: u32 filters on
// nettoll's HTB qdisc (the interface's: destination address; the IFB's:
// source address) at preferences below the port filters', so a viewer's
// packets go to its class whatever process sent them. Streams change
// rarely and are few: the site's filters are replaced as a whole.
#pragma once

#include <cstdint>
#include <vector>

#include "core/port_filters.h"
#include "core/result.h"
#include "kernel/netlink_socket.h"
#include "kernel/port_filter_tables.h"

namespace nettoll {

// The preferences of nettoll's address filters (IPv4, IPv6): before the
// port filters (kPortFilterPrefIpv4/Ipv6).
inline constexpr uint16_t kStreamFilterPrefIpv4 = 0x7a0e;
inline constexpr uint16_t kStreamFilterPrefIpv6 = 0x7a0f;

// Makes the site hold exactly the filters of `filters` in its direction
// (others are skipped). Fails with the kernel's reason, naming the viewer
// and the device; the site then holds a part of them.
Result<void> replace_stream_filters(NetlinkSocket& socket, const PortFilterSite& site,
                                    const std::vector<StreamFilter>& filters);

// Removes the site's address filters; none there is not an error.
Result<void> remove_stream_filters(NetlinkSocket& socket, const PortFilterSite& site);

}  // namespace nettoll
