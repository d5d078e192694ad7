// SPDX-License-Identifier: Apache-2.0
#include "kernel/links.h"

#include <libmnl/libmnl.h>
#include <linux/if.h>
#include <linux/if_link.h>
#include <linux/rtnetlink.h>

#include <algorithm>
#include <cerrno>
#include <cstring>
#include <optional>
#include <utility>
#include <variant>

namespace nettoll {
namespace {

int collect_link_info(const nlattr* attribute, void* data) {
  auto* link = static_cast<LinkInfo*>(data);
  if (mnl_attr_get_type(attribute) == IFLA_INFO_KIND && mnl_attr_validate(attribute, MNL_TYPE_STRING) >= 0) {
    // IFLA_INFO_KIND is sent with its terminating NUL; don't rely on it.
    const char* text = static_cast<const char*>(mnl_attr_get_payload(attribute));
    link->kind.assign(text, strnlen(text, mnl_attr_get_payload_len(attribute)));
  }
  return MNL_CB_OK;
}

int collect_link(const nlattr* attribute, void* data) {
  auto* link = static_cast<LinkInfo*>(data);
  switch (mnl_attr_get_type(attribute)) {
    case IFLA_IFNAME:
      if (mnl_attr_validate(attribute, MNL_TYPE_NUL_STRING) >= 0) link->name = mnl_attr_get_str(attribute);
      break;
    case IFLA_MTU:
      if (mnl_attr_validate(attribute, MNL_TYPE_U32) >= 0) link->mtu = mnl_attr_get_u32(attribute);
      break;
    case IFLA_LINK_NETNSID:
      if (mnl_attr_validate(attribute, MNL_TYPE_U32) >= 0)
        link->peer_nsid = int32_t(mnl_attr_get_u32(attribute));
      break;
    case IFLA_MASTER:
      if (mnl_attr_validate(attribute, MNL_TYPE_U32) >= 0) link->master = int(mnl_attr_get_u32(attribute));
      break;
    case IFLA_LINKINFO:
      mnl_attr_parse_nested(attribute, collect_link_info, link);
      break;
    default:
      break;
  }
  return MNL_CB_OK;
}

// Sends a RTM_GETLINK (by index, or by name when `name` is not empty) and
// returns the one reply, or the kernel's status.
std::variant<LinkInfo, NetlinkStatus> get_link(NetlinkSocket& socket, int ifindex, const std::string& name) {
  NetlinkMessage message(RTM_GETLINK, 0);
  auto* header = message.put_extra_header<ifinfomsg>();
  header->ifi_family = AF_UNSPEC;
  header->ifi_index = ifindex;
  if (!name.empty()) mnl_attr_put_strz(message.header(), IFLA_IFNAME, name.c_str());
  mnl_attr_put_u32(message.header(), IFLA_EXT_MASK, RTEXT_FILTER_SKIP_STATS);
  std::optional<LinkInfo> found;
  NetlinkSocket::MessageCallback on_reply = [&](const nlmsghdr* reply) -> Result<void> {
    found = parse_link(reply);
    return success();
  };
  NetlinkStatus status = socket.transact(message.header(), &on_reply);
  if (!status.ok()) return status;
  if (!found) return NetlinkStatus{-ENODEV, "", ""};
  return *found;
}

// "interface vA", or "interface #7" when it cannot be found.
std::string interface_phrase(NetlinkSocket& socket, int ifindex) {
  std::string label = link_label(socket, ifindex);
  return label.starts_with("interface ") ? label : "interface " + label;
}

}  // namespace

std::optional<LinkInfo> parse_link(const nlmsghdr* reply) {
  if (reply->nlmsg_type != RTM_NEWLINK || mnl_nlmsg_get_payload_len(reply) < sizeof(ifinfomsg))
    return std::nullopt;
  const auto* header = static_cast<const ifinfomsg*>(mnl_nlmsg_get_payload(reply));
  LinkInfo link;
  link.ifindex = header->ifi_index;
  link.up = (header->ifi_flags & IFF_UP) != 0;
  link.type = header->ifi_type;
  mnl_attr_parse(reply, sizeof(ifinfomsg), collect_link, &link);
  return link;
}

Result<LinkInfo> find_link(NetlinkSocket& socket, const std::string& name) {
  if (name.empty() || name.size() >= IFNAMSIZ) return Error{"no interface named '" + name + "'"};
  auto reply = get_link(socket, 0, name);
  if (auto* link = std::get_if<LinkInfo>(&reply)) return std::move(*link);
  const auto& status = std::get<NetlinkStatus>(reply);
  if (status.error == -ENODEV) return Error{"no interface named " + name};
  return Error{describe_failure("look up interface " + name, status)};
}

Result<LinkInfo> find_link(NetlinkSocket& socket, int ifindex) {
  auto reply = get_link(socket, ifindex, "");
  if (auto* link = std::get_if<LinkInfo>(&reply)) return std::move(*link);
  const auto& status = std::get<NetlinkStatus>(reply);
  if (status.error == -ENODEV) return Error{"no interface with index " + std::to_string(ifindex)};
  return Error{describe_failure("look up interface #" + std::to_string(ifindex), status)};
}

Result<std::vector<LinkInfo>> list_links(NetlinkSocket& socket) {
  NetlinkMessage message(RTM_GETLINK, NLM_F_DUMP);
  message.put_extra_header<ifinfomsg>()->ifi_family = AF_UNSPEC;
  mnl_attr_put_u32(message.header(), IFLA_EXT_MASK, RTEXT_FILTER_SKIP_STATS);
  std::vector<LinkInfo> links;
  auto dumped = socket.dump(message.header(), "list interfaces", [&](const nlmsghdr* reply) -> Result<void> {
    if (auto link = parse_link(reply)) links.push_back(std::move(*link));
    return success();
  });
  if (!dumped) return Error{dumped.error()};
  std::sort(links.begin(), links.end(),
            [](const LinkInfo& a, const LinkInfo& b) { return a.ifindex < b.ifindex; });
  return links;
}

Result<void> create_ifb(NetlinkSocket& socket, const std::string& name) {
  const std::string what = "create ifb " + name;
  if (name.empty() || name.size() >= IFNAMSIZ) {
    return Error{"cannot " + what + ": a name must have 1 to " + std::to_string(IFNAMSIZ - 1) +
                 " characters"};
  }
  NetlinkMessage message(RTM_NEWLINK, NLM_F_CREATE | NLM_F_EXCL);
  message.put_extra_header<ifinfomsg>()->ifi_family = AF_UNSPEC;
  mnl_attr_put_strz(message.header(), IFLA_IFNAME, name.c_str());
  nlattr* link_info = mnl_attr_nest_start(message.header(), IFLA_LINKINFO);
  mnl_attr_put_strz(message.header(), IFLA_INFO_KIND, "ifb");
  mnl_attr_nest_end(message.header(), link_info);
  return socket.request(message.header(), what);
}

Result<void> delete_link(NetlinkSocket& socket, const std::string& name) {
  auto link = find_link(socket, name);
  if (!link) return Error{"cannot delete interface " + name + ": " + link.error()};
  return delete_link(socket, link->ifindex);
}

Result<void> delete_link(NetlinkSocket& socket, int ifindex) {
  NetlinkMessage message(RTM_DELLINK, 0);
  auto* header = message.put_extra_header<ifinfomsg>();
  header->ifi_family = AF_UNSPEC;
  header->ifi_index = ifindex;
  NetlinkStatus status = socket.transact(message.header());
  if (status.ok()) return success();
  return Error{describe_failure("delete " + interface_phrase(socket, ifindex), status)};
}

Result<void> set_link_up(NetlinkSocket& socket, int ifindex) {
  NetlinkMessage message(RTM_NEWLINK, 0);
  auto* header = message.put_extra_header<ifinfomsg>();
  header->ifi_family = AF_UNSPEC;
  header->ifi_index = ifindex;
  header->ifi_flags = IFF_UP;
  header->ifi_change = IFF_UP;
  NetlinkStatus status = socket.transact(message.header());
  if (status.ok()) return success();
  return Error{describe_failure("bring up " + interface_phrase(socket, ifindex), status)};
}

std::string link_label(NetlinkSocket& socket, int ifindex) {
  auto reply = get_link(socket, ifindex, "");
  if (auto* link = std::get_if<LinkInfo>(&reply)) return link->name;
  return "interface #" + std::to_string(ifindex);
}

}  // namespace nettoll
