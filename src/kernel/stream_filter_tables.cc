// SPDX-License-Identifier: Apache-2.0
#include "kernel/stream_filter_tables.h"

#include <arpa/inet.h>
#include <fmt/format.h>
#include <libmnl/libmnl.h>
#include <linux/if_ether.h>
#include <linux/rtnetlink.h>

#include "kernel/tc_message.h"

namespace nettoll {
namespace {

// Where the viewer's address sits in the network header: IPv4 source at
// 12, destination at 16; IPv6 source at 8, destination at 24.
int address_offset(bool ipv6, FilterDirection direction) {
  if (ipv6) return direction == FilterDirection::egress ? 24 : 8;
  return direction == FilterDirection::egress ? 16 : 12;
}

uint16_t pref_of(bool ipv6) { return ipv6 ? kStreamFilterPrefIpv6 : kStreamFilterPrefIpv4; }

std::string site_label(const PortFilterSite& site) {
  return site.device + (site.direction == FilterDirection::egress ? " (egress)" : " (ingress)");
}

void put_header(NetlinkMessage& message, const PortFilterSite& site, bool ipv6) {
  auto* tc = put_tc_header(message, site.ifindex, Handle{}, site.qdisc);
  tc->tcm_info = TC_H_MAKE(static_cast<uint32_t>(pref_of(ipv6)) << 16, htons(ipv6 ? ETH_P_IPV6 : ETH_P_IP));
}

// `tc filter add ... prio <pref> protocol ip u32 match ip dst A/32 classid C`,
// the kernel choosing the handle.
Result<void> add_stream_filter(NetlinkSocket& socket, const PortFilterSite& site,
                               const StreamFilter& filter) {
  const bool ipv6 = filter.remote.ipv6;
  NetlinkMessage message(RTM_NEWTFILTER, NLM_F_CREATE);
  put_header(message, site, ipv6);
  mnl_attr_put_strz(message.header(), TCA_KIND, "u32");
  nlattr* options = mnl_attr_nest_start(message.header(), TCA_OPTIONS);
  mnl_attr_put_u32(message.header(), TCA_U32_CLASSID, filter.class_id.packed());
  std::vector<tc_u32_key> keys;
  const int offset = address_offset(ipv6, filter.direction);
  for (int word = 0; word < (ipv6 ? 4 : 1); ++word) {
    uint32_t value = 0;
    std::memcpy(&value, filter.remote.address.data() + 4 * word, sizeof(value));
    keys.push_back(u32_key(0xffffffff, ntohl(value), offset + 4 * word));
  }
  tc_u32_sel selector{};
  selector.flags = TC_U32_TERMINAL;
  put_u32_selector(message.header(), selector, keys);
  mnl_attr_nest_end(message.header(), options);
  return socket.request(message.header(), fmt::format("add the filter of stream viewer {} on {}",
                                                      format_cidr(filter.remote), site_label(site)));
}

}  // namespace

Result<void> remove_stream_filters(NetlinkSocket& socket, const PortFilterSite& site) {
  for (bool ipv6 : {false, true}) {
    NetlinkMessage message(RTM_DELTFILTER, 0);
    put_header(message, site, ipv6);
    const NetlinkStatus status = socket.transact(message.header());
    // Nothing at that preference, or the qdisc itself is gone.
    if (status.ok() || status.error == -ENOENT || status.error == -EINVAL) continue;
    return Error{
        describe_failure(fmt::format("remove the stream filters from {}", site_label(site)), status)};
  }
  return success();
}

Result<void> replace_stream_filters(NetlinkSocket& socket, const PortFilterSite& site,
                                    const std::vector<StreamFilter>& filters) {
  if (auto removed = remove_stream_filters(socket, site); !removed) return removed;
  for (const StreamFilter& filter : filters) {
    if (filter.direction != site.direction) continue;
    if (auto added = add_stream_filter(socket, site, filter); !added) return added;
  }
  return success();
}

}  // namespace nettoll
