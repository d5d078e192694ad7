// SPDX-License-Identifier: Apache-2.0
#include "kernel/route_query.h"

#include <arpa/inet.h>
#include <libmnl/libmnl.h>
#include <linux/rtnetlink.h>

#include <array>
#include <cerrno>

#include "kernel/links.h"

namespace nettoll {
namespace {

int read_output_interface(const nlattr* attribute, void* data) {
  if (mnl_attr_get_type(attribute) == RTA_OIF && mnl_attr_validate(attribute, MNL_TYPE_U32) >= 0) {
    *static_cast<int*>(data) = static_cast<int>(mnl_attr_get_u32(attribute));
  }
  return MNL_CB_OK;
}

}  // namespace

int parse_route_output_interface(const nlmsghdr* reply) {
  int ifindex = 0;
  if (reply->nlmsg_type == RTM_NEWROUTE && mnl_nlmsg_get_payload_len(reply) >= sizeof(rtmsg))
    mnl_attr_parse(reply, sizeof(rtmsg), read_output_interface, &ifindex);
  return ifindex;
}

Result<std::optional<std::string>> route_interface_to(NetlinkSocket& socket, const std::string& address) {
  std::array<unsigned char, 16> bytes{};
  int family = AF_INET;
  if (inet_pton(AF_INET, address.c_str(), bytes.data()) != 1) {
    family = AF_INET6;
    if (inet_pton(AF_INET6, address.c_str(), bytes.data()) != 1)
      return Error{"bad address '" + address + "'"};
  }
  NetlinkMessage message(RTM_GETROUTE, 0);
  auto* route = message.put_extra_header<rtmsg>();
  route->rtm_family = static_cast<unsigned char>(family);
  route->rtm_dst_len = family == AF_INET ? 32 : 128;
  mnl_attr_put(message.header(), RTA_DST, family == AF_INET ? 4 : 16, bytes.data());
  int ifindex = 0;
  NetlinkSocket::MessageCallback on_route = [&](const nlmsghdr* reply) -> Result<void> {
    if (const int found = parse_route_output_interface(reply); found != 0) ifindex = found;
    return success();
  };
  const NetlinkStatus status = socket.transact(message.header(), &on_route);
  // No route, no address family at all, or a blackhole/prohibit route (a VPN
  // kill switch: the kernel answers EINVAL/EACCES): nothing to manage that way.
  if (status.error == -ENETUNREACH || status.error == -EHOSTUNREACH || status.error == -EAFNOSUPPORT ||
      status.error == -ENETDOWN || status.error == -EINVAL || status.error == -EACCES) {
    return std::optional<std::string>{};
  }
  if (!status.ok()) return Error{describe_failure("look up the route to " + address, status)};
  if (ifindex == 0) return std::optional<std::string>{};
  auto link = find_link(socket, ifindex);
  if (!link) return Error{link.error()};
  return std::optional<std::string>{link->name};
}

Result<InterfaceChoice> find_active_interface(NetlinkSocket& socket, const std::string& configured) {
  InterfaceChoiceInput input;
  input.configured = configured;
  if (configured == "auto") {
    auto ipv4 = route_interface_to(socket, kProbeIpv4);
    if (!ipv4) return Error{ipv4.error()};
    auto ipv6 = route_interface_to(socket, kProbeIpv6);
    if (!ipv6) return Error{ipv6.error()};
    input.ipv4_route = *ipv4;
    input.ipv6_route = *ipv6;
  } else {
    auto links = list_links(socket);
    if (!links) return Error{links.error()};
    for (const LinkInfo& link : *links) input.existing_interfaces.push_back(link.name);
  }
  return choose_interface(input);
}

}  // namespace nettoll
