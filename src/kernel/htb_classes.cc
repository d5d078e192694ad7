// SPDX-License-Identifier: Apache-2.0
#include "kernel/htb_classes.h"

#include <libmnl/libmnl.h>
#include <linux/pkt_sched.h>

#include <algorithm>
#include <cerrno>
#include <optional>
#include <utility>

#include "kernel/kernel_config.h"
#include "kernel/links.h"
#include "kernel/psched_time.h"

namespace nettoll {
namespace {

constexpr uint64_t kMax32 = UINT32_MAX;
// tc's default MTU allowance in a burst when none is given.
constexpr uint64_t kDefaultBurstMtu = 1600;

// A ratespec carries at most 2^32-1 bytes/s; faster rates travel in a 64-bit
// attribute beside it and the ratespec says "saturated".
tc_ratespec ratespec(uint64_t rate_bytes) {
  tc_ratespec spec{};
  spec.rate = static_cast<uint32_t>(std::min(rate_bytes, kMax32));
  spec.linklayer = TC_LINKLAYER_ETHERNET;
  return spec;
}

uint32_t buffer_ticks(uint32_t burst_bytes, uint64_t rate_bytes) {
  const uint64_t burst =
      burst_bytes ? burst_bytes : rate_bytes / static_cast<uint64_t>(kernel_hz()) + kDefaultBurstMtu;
  return bytes_to_psched_ticks(burst, rate_bytes);
}

void put_class_options(NetlinkMessage& message, const HtbClass& htb_class) {
  const uint64_t rate = htb_class.rate.bytes_per_second();
  const uint64_t ceil = htb_class.ceil.is_zero() ? rate : htb_class.ceil.bytes_per_second();
  tc_htb_opt options{};
  options.rate = ratespec(rate);
  options.ceil = ratespec(ceil);
  options.buffer = buffer_ticks(htb_class.burst, rate);
  options.cbuffer = buffer_ticks(htb_class.cburst, ceil);
  options.quantum = htb_class.quantum;
  options.prio = static_cast<uint32_t>(std::max(htb_class.prio, 0));

  mnl_attr_put_strz(message.header(), TCA_KIND, "htb");
  nlattr* nest = mnl_attr_nest_start(message.header(), TCA_OPTIONS);
  mnl_attr_put(message.header(), TCA_HTB_PARMS, sizeof(options), &options);
  if (rate >= kMax32) mnl_attr_put_u64(message.header(), TCA_HTB_RATE64, rate);
  if (ceil >= kMax32) mnl_attr_put_u64(message.header(), TCA_HTB_CEIL64, ceil);
  mnl_attr_nest_end(message.header(), nest);
}

Result<void> write_class(NetlinkSocket& socket, int ifindex, const HtbClass& htb_class, uint16_t flags,
                         const std::string& verb) {
  if (htb_class.rate.bytes_per_second() == 0) {
    return Error{"cannot " + verb + " htb class " + format_handle(htb_class.id) + " on " +
                 link_label(socket, ifindex) + ": its rate is below 1 byte/s"};
  }
  NetlinkMessage message(RTM_NEWTCLASS, flags);
  put_tc_header(message, ifindex, htb_class.id, htb_class.parent);
  put_class_options(message, htb_class);
  return request_on_device(socket, message.header(), ifindex,
                           verb + " htb class " + format_handle(htb_class.id));
}

// RTM_GETTCLASS for one class: 0, or the kernel's errno (-ENOENT if absent).
int probe_class(NetlinkSocket& socket, int ifindex, Handle id) {
  NetlinkMessage message(RTM_GETTCLASS, 0);
  put_tc_header(message, ifindex, id, Handle{});
  NetlinkSocket::MessageCallback ignore = [](const nlmsghdr*) -> Result<void> { return success(); };
  return socket.transact(message.header(), &ignore).error;
}

void decode_htb_options(const nlattr* options, ClassInfo& info) {
  AttributeTable table(options, TCA_HTB_MAX);
  if (!table[TCA_HTB_PARMS]) return;
  auto parameters = read_struct<tc_htb_opt>(table[TCA_HTB_PARMS]);
  const uint64_t rate = std::max<uint64_t>(parameters.rate.rate, table.u64(TCA_HTB_RATE64));
  const uint64_t ceil = std::max<uint64_t>(parameters.ceil.rate, table.u64(TCA_HTB_CEIL64));
  info.rate = Rate::bytes_per_second(rate);
  info.ceil = Rate::bytes_per_second(ceil);
  info.prio = static_cast<int>(parameters.prio);
  info.quantum = parameters.quantum;
  info.level = parameters.level;
  info.burst_bytes = psched_ticks_to_bytes(parameters.buffer, rate);
  info.cburst_bytes = psched_ticks_to_bytes(parameters.cbuffer, ceil);
}

}  // namespace

std::optional<ClassInfo> parse_class(const nlmsghdr* reply) {
  if (mnl_nlmsg_get_payload_len(reply) < sizeof(tcmsg)) return std::nullopt;
  const auto* header = static_cast<const tcmsg*>(mnl_nlmsg_get_payload(reply));
  TcAttributes attributes = parse_tc_attributes(reply);
  ClassInfo info;
  info.kind = attributes.kind;
  info.id = unpack_handle(header->tcm_handle);
  info.root = header->tcm_parent == TC_H_ROOT;
  info.parent = info.root ? Handle{info.id.major, 0} : unpack_handle(header->tcm_parent);
  if (header->tcm_info) info.leaf_qdisc = unpack_handle(header->tcm_info);
  info.stats = attributes.stats;
  if (info.kind == "htb") {
    decode_htb_options(attributes.options, info);
    if (attributes.app_stats) {
      auto extra = read_struct<tc_htb_xstats>(attributes.app_stats);
      info.tokens = extra.tokens;
      info.ctokens = extra.ctokens;
      info.lends = extra.lends;
      info.borrows = extra.borrows;
    }
  }
  return info;
}

Result<void> add_htb_class(NetlinkSocket& socket, int ifindex, const HtbClass& htb_class) {
  // HTB treats an unknown parent as "none" and creates a root class instead of
  // failing, which would put the class outside its parent's limit.
  if (htb_class.parent.minor != 0) {
    const int error = probe_class(socket, ifindex, htb_class.parent);
    if (error == -ENOENT) {
      return Error{"cannot add htb class " + format_handle(htb_class.id) + " on " +
                   link_label(socket, ifindex) + ": parent class " + format_handle(htb_class.parent) +
                   " does not exist"};
    }
  }
  return write_class(socket, ifindex, htb_class, NLM_F_CREATE | NLM_F_EXCL, "add");
}

Result<void> change_htb_class(NetlinkSocket& socket, int ifindex, const HtbClass& htb_class) {
  return write_class(socket, ifindex, htb_class, 0, "change");
}

Result<void> delete_htb_class(NetlinkSocket& socket, int ifindex, Handle id) {
  NetlinkMessage message(RTM_DELTCLASS, 0);
  put_tc_header(message, ifindex, id, Handle{});
  return request_on_device(socket, message.header(), ifindex, "delete htb class " + format_handle(id));
}

Result<std::vector<ClassInfo>> list_classes(NetlinkSocket& socket, int ifindex) {
  std::vector<ClassInfo> classes;
  auto dumped = dump_on_device(socket, RTM_GETTCLASS, ifindex, "list classes", [&](const nlmsghdr* reply) {
    if (auto parsed = parse_class(reply)) classes.push_back(std::move(*parsed));
    return success();
  });
  if (!dumped) return Error{dumped.error()};
  return classes;
}

}  // namespace nettoll
