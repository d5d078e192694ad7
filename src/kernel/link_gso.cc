// SPDX-License-Identifier: Apache-2.0
#include "kernel/link_gso.h"

#include <libmnl/libmnl.h>
#include <linux/if_link.h>
#include <linux/rtnetlink.h>
#include <sys/socket.h>

#include <fstream>

namespace nettoll {
namespace {

int read_sizes(const nlattr* attribute, void* data) {
  auto* limits = static_cast<GsoLimits*>(data);
  const int type = mnl_attr_get_type(attribute);
  if (type == IFLA_GSO_MAX_SIZE && mnl_attr_validate(attribute, MNL_TYPE_U32) >= 0) {
    limits->gso_max_size = mnl_attr_get_u32(attribute);
  } else if (type == IFLA_GRO_MAX_SIZE && mnl_attr_validate(attribute, MNL_TYPE_U32) >= 0) {
    limits->gro_max_size = mnl_attr_get_u32(attribute);
  }
  return MNL_CB_OK;
}

}  // namespace

Result<GsoLimits> read_gso_limits(NetlinkSocket& socket, int ifindex, const std::string& device) {
  NetlinkMessage message(RTM_GETLINK, 0);
  auto* info = message.put_extra_header<ifinfomsg>();
  info->ifi_family = AF_UNSPEC;
  info->ifi_index = ifindex;
  GsoLimits limits;
  NetlinkSocket::MessageCallback on_link = [&](const nlmsghdr* reply) -> Result<void> {
    mnl_attr_parse(reply, sizeof(ifinfomsg), read_sizes, &limits);
    return success();
  };
  const NetlinkStatus status = socket.transact(message.header(), &on_link);
  if (!status.ok()) return Error{describe_failure("read the gso size of " + device, status)};
  return limits;
}

Result<void> restore_gso_limits(NetlinkSocket& socket, int ifindex, const std::string& device,
                                GsoLimits limits) {
  NetlinkMessage message(RTM_NEWLINK, 0);
  auto* info = message.put_extra_header<ifinfomsg>();
  info->ifi_family = AF_UNSPEC;
  info->ifi_index = ifindex;
  mnl_attr_put_u32(message.header(), IFLA_GSO_MAX_SIZE, limits.gso_max_size);
  if (limits.gro_max_size) mnl_attr_put_u32(message.header(), IFLA_GRO_MAX_SIZE, limits.gro_max_size);
  const std::string what = "set the gso/gro size of " + device + " to " +
                           std::to_string(limits.gso_max_size) + "/" + std::to_string(limits.gro_max_size);
  if (auto set = socket.request(message.header(), what); !set) return set;
  // /proc/sys/net belongs to the writing thread's network namespace. IPv6
  // has no such switch (its flush only collects garbage): IPv6 connections
  // pick the new size up when their route is next looked up.
  std::ofstream flush("/proc/sys/net/ipv4/route/flush");
  flush << "1\n";
  flush.flush();
  if (!flush) return Error{"cannot " + what + ": the IPv4 route cache could not be flushed"};
  return success();
}

Result<void> set_gso_limits(NetlinkSocket& socket, int ifindex, const std::string& device, uint32_t size) {
  return restore_gso_limits(socket, ifindex, device, GsoLimits{size, size});
}

}  // namespace nettoll
