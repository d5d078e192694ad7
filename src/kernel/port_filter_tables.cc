// SPDX-License-Identifier: Apache-2.0
#include "kernel/port_filter_tables.h"

#include <arpa/inet.h>
#include <fmt/format.h>
#include <libmnl/libmnl.h>
#include <linux/if_ether.h>
#include <linux/pkt_cls.h>
#include <linux/rtnetlink.h>

#include <array>
#include <vector>

#include "kernel/tc_message.h"

namespace nettoll {
namespace {

// Offsets from the network header of what the filters read.
struct FamilyLayout {
  uint16_t pref;
  uint16_t ethertype;
  int ports_offset;     // the 32-bit word holding source and destination port
  int protocol_offset;  // the 32-bit word holding the transport protocol
  uint32_t protocol_shift;
};

FamilyLayout layout_of(IpFamily family) {
  // IPv4: protocol is byte 9 (word 8, second byte); ports follow a 20-byte
  // header. IPv6: next header is byte 6 (word 4, third byte); ports at 40.
  if (family == IpFamily::ipv4) return {kPortFilterPrefIpv4, ETH_P_IP, 20, 8, 16};
  return {kPortFilterPrefIpv6, ETH_P_IPV6, 40, 4, 8};
}

const char* family_name(IpFamily family) { return family == IpFamily::ipv4 ? "IPv4" : "IPv6"; }

// The port's half of the ports word: source port in the high 16 bits.
uint32_t port_mask(FilterDirection direction) {
  return direction == FilterDirection::egress ? 0xffff0000 : 0x0000ffff;
}
uint32_t port_shift(FilterDirection direction) { return direction == FilterDirection::egress ? 16 : 0; }

tcmsg* put_filter_header(NetlinkMessage& message, const PortFilterSite& site, IpFamily family,
                         uint32_t handle) {
  auto* tc = put_tc_header(message, site.ifindex, Handle{}, site.qdisc);
  tc->tcm_handle = handle;
  const FamilyLayout layout = layout_of(family);
  tc->tcm_info = TC_H_MAKE(static_cast<uint32_t>(layout.pref) << 16, htons(layout.ethertype));
  return tc;
}

std::string site_label(const PortFilterSite& site) {
  return site.device + (site.direction == FilterDirection::egress ? " (egress)" : " (ingress)");
}

// `tc filter add ... handle 7a1: u32 divisor 256`
Result<void> add_hash_table(NetlinkSocket& socket, const PortFilterSite& site, IpFamily family) {
  NetlinkMessage message(RTM_NEWTFILTER, NLM_F_CREATE | NLM_F_EXCL);
  put_filter_header(message, site, family, port_hash_table(family) << 20);
  mnl_attr_put_strz(message.header(), TCA_KIND, "u32");
  nlattr* options = mnl_attr_nest_start(message.header(), TCA_OPTIONS);
  mnl_attr_put_u32(message.header(), TCA_U32_DIVISOR, kPortHashBuckets);
  mnl_attr_nest_end(message.header(), options);
  return socket.request(message.header(),
                        fmt::format("create the {} port table on {}", family_name(family), site_label(site)));
}

// `tc filter add ... u32 match u32 0 0 hashkey mask <port's low byte> at
// <ports> link 7a1:` in the root table: every packet of the family goes on
// to the bucket of its port.
Result<void> add_hash_link(NetlinkSocket& socket, const PortFilterSite& site, IpFamily family) {
  const FamilyLayout layout = layout_of(family);
  NetlinkMessage message(RTM_NEWTFILTER, NLM_F_CREATE | NLM_F_EXCL);
  put_filter_header(message, site, family, 0);
  mnl_attr_put_strz(message.header(), TCA_KIND, "u32");
  nlattr* options = mnl_attr_nest_start(message.header(), TCA_OPTIONS);
  tc_u32_sel selector{};
  selector.hmask = htonl(0xffu << port_shift(site.direction));
  selector.hoff = static_cast<short>(layout.ports_offset);
  put_u32_selector(message.header(), selector, {u32_key(0, 0, 0)});
  mnl_attr_put_u32(message.header(), TCA_U32_LINK, port_hash_table(family) << 20);
  mnl_attr_nest_end(message.header(), options);
  return socket.request(message.header(),
                        fmt::format("link the {} port table on {}", family_name(family), site_label(site)));
}

Result<void> remove_family(NetlinkSocket& socket, const PortFilterSite& site, IpFamily family) {
  NetlinkMessage message(RTM_DELTFILTER, 0);
  put_filter_header(message, site, family, 0);
  const NetlinkStatus status = socket.transact(message.header());
  // Nothing at that preference, or the qdisc itself is gone.
  if (status.ok() || status.error == -ENOENT || status.error == -EINVAL) return success();
  return Error{describe_failure(
      fmt::format("remove the {} port filters from {}", family_name(family), site_label(site)), status)};
}

}  // namespace

void put_u32_selector(nlmsghdr* header, const tc_u32_sel& selector, const std::vector<tc_u32_key>& keys) {
  std::array<char, sizeof(tc_u32_sel) + kMaxU32Keys * sizeof(tc_u32_key)> buffer{};
  auto* out = reinterpret_cast<tc_u32_sel*>(buffer.data());
  *out = selector;
  out->nkeys = static_cast<unsigned char>(keys.size());
  for (size_t i = 0; i < keys.size(); ++i) out->keys[i] = keys[i];
  mnl_attr_put(header, TCA_U32_SEL, sizeof(tc_u32_sel) + keys.size() * sizeof(tc_u32_key), buffer.data());
}

tc_u32_key u32_key(uint32_t mask, uint32_t value, int offset) {
  return tc_u32_key{htonl(mask), htonl(value), offset, 0};
}

Result<void> create_port_tables(NetlinkSocket& socket, const PortFilterSite& site) {
  if (auto removed = remove_port_tables(socket, site); !removed) return removed;
  for (IpFamily family : {IpFamily::ipv4, IpFamily::ipv6}) {
    if (auto added = add_hash_table(socket, site, family); !added) return added;
    if (auto linked = add_hash_link(socket, site, family); !linked) return linked;
  }
  return success();
}

Result<void> remove_port_tables(NetlinkSocket& socket, const PortFilterSite& site) {
  for (IpFamily family : {IpFamily::ipv4, IpFamily::ipv6}) {
    if (auto removed = remove_family(socket, site, family); !removed) return removed;
  }
  return success();
}

Result<void> add_port_filter(NetlinkSocket& socket, const PortFilterSite& site,
                             const InstalledPortFilter& filter) {
  const PortFilterKey& port = filter.filter.key;
  const FamilyLayout layout = layout_of(port.family);
  NetlinkMessage message(RTM_NEWTFILTER, NLM_F_CREATE | NLM_F_EXCL);
  put_filter_header(message, site, port.family, filter.handle);
  mnl_attr_put_strz(message.header(), TCA_KIND, "u32");
  nlattr* options = mnl_attr_nest_start(message.header(), TCA_OPTIONS);
  mnl_attr_put_u32(message.header(), TCA_U32_HASH, filter.handle & 0xfffff000);
  mnl_attr_put_u32(message.header(), TCA_U32_CLASSID, filter.filter.class_id.packed());
  std::vector<tc_u32_key> keys = {
      u32_key(0xffu << layout.protocol_shift, uint32_t(port.protocol) << layout.protocol_shift,
              layout.protocol_offset),
      u32_key(port_mask(site.direction), uint32_t(port.port) << port_shift(site.direction),
              layout.ports_offset),
  };
  // IPv4: the ports are where the filter reads them only in a 20-byte header
  // (IHL 5) and in the first fragment (offset 0).
  if (port.family == IpFamily::ipv4) {
    keys.push_back(u32_key(0x0f000000, 0x05000000, 0));
    keys.push_back(u32_key(0x1fff, 0, 4));
  }
  tc_u32_sel selector{};
  selector.flags = TC_U32_TERMINAL;
  put_u32_selector(message.header(), selector, keys);
  mnl_attr_nest_end(message.header(), options);
  return socket.request(message.header(),
                        fmt::format("add the filter of {} {} port {} on {}", family_name(port.family),
                                    port.protocol == 6 ? "TCP" : "UDP", port.port, site_label(site)));
}

Result<void> delete_port_filter(NetlinkSocket& socket, const PortFilterSite& site,
                                const InstalledPortFilter& filter) {
  const PortFilterKey& port = filter.filter.key;
  NetlinkMessage message(RTM_DELTFILTER, 0);
  put_filter_header(message, site, port.family, filter.handle);
  mnl_attr_put_strz(message.header(), TCA_KIND, "u32");
  return socket.request(message.header(), fmt::format("remove the filter of {} port {} on {}",
                                                      family_name(port.family), port.port, site_label(site)));
}

}  // namespace nettoll
