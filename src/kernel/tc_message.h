// SPDX-License-Identifier: Apache-2.0
// What qdisc and class requests share: the tcmsg header, handles as the
// kernel packs them, the statistics every tc object reports, and errors that
// name the device.
#pragma once

#include <linux/rtnetlink.h>

#include <algorithm>
#include <cstdint>
#include <cstring>
#include <string>
#include <vector>

#include "core/plan.h"
#include "kernel/netlink_socket.h"

namespace nettoll {

// Parents that are not a class: the device's root and its ingress/clsact hook.
inline constexpr Handle kRootParent{0xffff, 0xffff};
inline constexpr Handle kIngressParent{0xffff, 0xfff1};

Handle unpack_handle(uint32_t packed);

// Counters from TCA_STATS2 (basic + queue), as `tc -s` prints them.
struct TcStats {
  uint64_t bytes = 0;
  uint64_t packets = 0;
  uint32_t drops = 0;
  uint32_t overlimits = 0;
  uint32_t requeues = 0;
  uint32_t backlog_bytes = 0;
  uint32_t queue_packets = 0;
};

// The attributes of a qdisc or class message that are not kind-specific.
struct TcAttributes {
  std::string kind;
  const nlattr* options = nullptr;    // TCA_OPTIONS, to decode by kind
  const nlattr* app_stats = nullptr;  // TCA_STATS_APP inside TCA_STATS2 (xstats)
  TcStats stats;
};

// Copies a fixed struct out of an attribute; a shorter attribute (an older
// kernel's struct) leaves the remaining fields zero.
const void* attribute_payload(const nlattr* attribute);
size_t attribute_payload_length(const nlattr* attribute);
template <typename T>
T read_struct(const nlattr* attribute) {
  T value{};
  std::memcpy(&value, attribute_payload(attribute),
              std::min<size_t>(attribute_payload_length(attribute), sizeof(T)));
  return value;
}

// The attributes nested in `nest`, indexed by type (up to `max`; absent ones
// are null).
class AttributeTable {
 public:
  AttributeTable(const nlattr* nest, uint16_t max);
  const nlattr* operator[](uint16_t type) const {
    return type < attributes_.size() ? attributes_[type] : nullptr;
  }
  // The u32/u64 attribute's value, or 0 when absent or short.
  uint32_t u32(uint16_t type) const;
  uint64_t u64(uint16_t type) const;

 private:
  std::vector<const nlattr*> attributes_;
};

// Starts a qdisc/class request on `ifindex` for `handle` under `parent`.
tcmsg* put_tc_header(NetlinkMessage& message, int ifindex, Handle handle, Handle parent);

// Reads kind, options and statistics of a RTM_NEWQDISC/RTM_NEWTCLASS reply.
TcAttributes parse_tc_attributes(const nlmsghdr* reply);

// Sends `message` and, when the kernel refuses, returns
// "cannot <action> on <device name>: <reason>"; the device's name is looked up
// only then.
Result<void> request_on_device(NetlinkSocket& socket, nlmsghdr* message, int ifindex,
                               const std::string& action);

// Dumps RTM_GETQDISC or RTM_GETTCLASS replies that belong to `ifindex`;
// fails with "cannot <action> on <device name>: <reason>".
Result<void> dump_on_device(NetlinkSocket& socket, uint16_t type, int ifindex, const std::string& action,
                            const NetlinkSocket::MessageCallback& on_message);

}  // namespace nettoll
