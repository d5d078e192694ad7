// SPDX-License-Identifier: Apache-2.0
#include "kernel/tc_message.h"

#include <libmnl/libmnl.h>
#include <linux/gen_stats.h>

#include <algorithm>
#include <cstring>

#include "kernel/links.h"

namespace nettoll {
namespace {

int collect_stats(const nlattr* attribute, void* data) {
  auto* attributes = static_cast<TcAttributes*>(data);
  TcStats& stats = attributes->stats;
  switch (mnl_attr_get_type(attribute)) {
    case TCA_STATS_BASIC: {
      auto basic = read_struct<gnet_stats_basic>(attribute);
      stats.bytes = basic.bytes;
      stats.packets = std::max<uint64_t>(stats.packets, basic.packets);
      break;
    }
    case TCA_STATS_PKT64:
      // The kernel adds the full packet count when it does not fit in 32 bits.
      if (mnl_attr_get_payload_len(attribute) >= sizeof(uint64_t))
        stats.packets = mnl_attr_get_u64(attribute);
      break;
    case TCA_STATS_QUEUE: {
      auto queue = read_struct<gnet_stats_queue>(attribute);
      stats.drops = queue.drops;
      stats.overlimits = queue.overlimits;
      stats.requeues = queue.requeues;
      stats.backlog_bytes = queue.backlog;
      stats.queue_packets = queue.qlen;
      break;
    }
    case TCA_STATS_APP:
      attributes->app_stats = attribute;
      break;
    default:
      break;
  }
  return MNL_CB_OK;
}

int collect_top_level(const nlattr* attribute, void* data) {
  auto* attributes = static_cast<TcAttributes*>(data);
  switch (mnl_attr_get_type(attribute)) {
    case TCA_KIND:
      if (mnl_attr_validate(attribute, MNL_TYPE_NUL_STRING) >= 0)
        attributes->kind = mnl_attr_get_str(attribute);
      break;
    case TCA_OPTIONS:
      attributes->options = attribute;
      break;
    case TCA_STATS2:
      mnl_attr_parse_nested(attribute, collect_stats, attributes);
      break;
    default:
      break;
  }
  return MNL_CB_OK;
}

}  // namespace

const void* attribute_payload(const nlattr* attribute) { return mnl_attr_get_payload(attribute); }
size_t attribute_payload_length(const nlattr* attribute) { return mnl_attr_get_payload_len(attribute); }

AttributeTable::AttributeTable(const nlattr* nest, uint16_t max) : attributes_(max + 1, nullptr) {
  if (!nest) return;
  mnl_attr_parse_nested(
      nest,
      [](const nlattr* attribute, void* data) {
        auto* attributes = static_cast<std::vector<const nlattr*>*>(data);
        const uint16_t type = mnl_attr_get_type(attribute);
        if (type < attributes->size()) (*attributes)[type] = attribute;
        return MNL_CB_OK;
      },
      &attributes_);
}

uint32_t AttributeTable::u32(uint16_t type) const {
  const nlattr* attribute = (*this)[type];
  return attribute && mnl_attr_get_payload_len(attribute) >= sizeof(uint32_t) ? mnl_attr_get_u32(attribute)
                                                                              : 0;
}

uint64_t AttributeTable::u64(uint16_t type) const {
  const nlattr* attribute = (*this)[type];
  return attribute && mnl_attr_get_payload_len(attribute) >= sizeof(uint64_t) ? mnl_attr_get_u64(attribute)
                                                                              : 0;
}

Handle unpack_handle(uint32_t packed) {
  return Handle{static_cast<uint16_t>(packed >> 16), static_cast<uint16_t>(packed & 0xffff)};
}

tcmsg* put_tc_header(NetlinkMessage& message, int ifindex, Handle handle, Handle parent) {
  auto* header = message.put_extra_header<tcmsg>();
  header->tcm_family = AF_UNSPEC;
  header->tcm_ifindex = ifindex;
  header->tcm_handle = handle.packed();
  header->tcm_parent = parent.packed();
  return header;
}

TcAttributes parse_tc_attributes(const nlmsghdr* reply) {
  TcAttributes attributes;
  mnl_attr_parse(reply, sizeof(tcmsg), collect_top_level, &attributes);
  return attributes;
}

Result<void> request_on_device(NetlinkSocket& socket, nlmsghdr* message, int ifindex,
                               const std::string& action) {
  NetlinkStatus status = socket.transact(message);
  if (status.ok()) return success();
  return Error{describe_failure(action + " on " + link_label(socket, ifindex), status)};
}

Result<void> dump_on_device(NetlinkSocket& socket, uint16_t type, int ifindex, const std::string& action,
                            const NetlinkSocket::MessageCallback& on_message) {
  NetlinkMessage message(type, NLM_F_DUMP);
  // The kernel filters class dumps by ifindex but lists every device's qdiscs.
  put_tc_header(message, ifindex, Handle{}, Handle{});
  NetlinkSocket::MessageCallback on_device_message = [&](const nlmsghdr* reply) -> Result<void> {
    if (mnl_nlmsg_get_payload_len(reply) < sizeof(tcmsg)) return success();
    const auto* header = static_cast<const tcmsg*>(mnl_nlmsg_get_payload(reply));
    if (header->tcm_ifindex != ifindex) return success();
    return on_message(reply);
  };
  NetlinkStatus status = socket.transact(message.header(), &on_device_message);
  if (status.ok()) return success();
  return Error{describe_failure(action + " on " + link_label(socket, ifindex), status)};
}

}  // namespace nettoll
