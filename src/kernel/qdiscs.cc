// SPDX-License-Identifier: Apache-2.0
#include "kernel/qdiscs.h"

#include <libmnl/libmnl.h>
#include <linux/pkt_sched.h>

#include <algorithm>
#include <optional>
#include <utility>

#include "kernel/psched_time.h"

namespace nettoll {
namespace {

constexpr uint32_t kHtbVersion = 3;         // the TCA_HTB_INIT layout tc speaks
constexpr uint32_t kHtbRateToQuantum = 10;  // tc's default r2q
constexpr uint64_t kMax32 = UINT32_MAX;
constexpr Handle kClsactHandle{0xffff, 0};

uint16_t write_flags(QdiscWrite write) {
  return write == QdiscWrite::add ? NLM_F_CREATE | NLM_F_EXCL : NLM_F_CREATE | NLM_F_REPLACE;
}

std::string qdisc_action(QdiscWrite write, const std::string& kind, Handle handle, Handle parent) {
  std::string action =
      (write == QdiscWrite::add ? "add " : "replace ") + kind + " qdisc " + format_handle(handle);
  if (parent != kRootParent) action += " under " + format_handle(parent);
  return action;
}

uint32_t microseconds(Duration duration) {
  return static_cast<uint32_t>(std::clamp<int64_t>(duration.count(), 0, kMax32));
}

// ---- decoding what list_qdiscs reads back ----

void decode_tbf(const nlattr* options, QdiscInfo& info) {
  AttributeTable table(options, TCA_TBF_MAX);
  if (!table[TCA_TBF_PARMS]) return;
  auto parameters = read_struct<tc_tbf_qopt>(table[TCA_TBF_PARMS]);
  const uint64_t rate = std::max<uint64_t>(parameters.rate.rate, table.u64(TCA_TBF_RATE64));
  info.tbf_rate = Rate::bytes_per_second(rate);
  info.tbf_burst_bytes = psched_ticks_to_bytes(parameters.buffer, rate);
  info.limit_bytes = parameters.limit;
}

void decode_options(const nlattr* options, QdiscInfo& info) {
  if (!options) return;
  if (info.kind == "htb") {
    AttributeTable table(options, TCA_HTB_MAX);
    if (table[TCA_HTB_INIT]) info.htb_default = read_struct<tc_htb_glob>(table[TCA_HTB_INIT]).defcls & 0xffff;
  } else if (info.kind == "bfifo") {
    info.limit_bytes = read_struct<tc_fifo_qopt>(options).limit;
  } else if (info.kind == "pfifo") {
    info.limit_packets = read_struct<tc_fifo_qopt>(options).limit;
  } else if (info.kind == "tbf") {
    decode_tbf(options, info);
  } else if (info.kind == "fq_codel") {
    AttributeTable table(options, TCA_FQ_CODEL_MAX);
    info.limit_packets = table.u32(TCA_FQ_CODEL_LIMIT);
    info.fq_codel_target = Duration(table.u32(TCA_FQ_CODEL_TARGET));
    info.fq_codel_interval = Duration(table.u32(TCA_FQ_CODEL_INTERVAL));
  }
}

}  // namespace

std::optional<QdiscInfo> parse_qdisc(const nlmsghdr* reply) {
  if (mnl_nlmsg_get_payload_len(reply) < sizeof(tcmsg)) return std::nullopt;
  const auto* header = static_cast<const tcmsg*>(mnl_nlmsg_get_payload(reply));
  TcAttributes attributes = parse_tc_attributes(reply);
  QdiscInfo info;
  info.kind = attributes.kind;
  info.handle = unpack_handle(header->tcm_handle);
  info.parent = unpack_handle(header->tcm_parent);
  info.root = header->tcm_parent == TC_H_ROOT;
  info.stats = attributes.stats;
  decode_options(attributes.options, info);
  return info;
}

Result<void> add_htb_qdisc(NetlinkSocket& socket, int ifindex, Handle handle, uint16_t default_minor,
                           QdiscWrite write) {
  NetlinkMessage message(RTM_NEWQDISC, write_flags(write));
  put_tc_header(message, ifindex, handle, kRootParent);
  mnl_attr_put_strz(message.header(), TCA_KIND, "htb");
  nlattr* options = mnl_attr_nest_start(message.header(), TCA_OPTIONS);
  tc_htb_glob init{};
  init.version = kHtbVersion;
  init.rate2quantum = kHtbRateToQuantum;
  init.defcls = default_minor;
  mnl_attr_put(message.header(), TCA_HTB_INIT, sizeof(init), &init);
  mnl_attr_nest_end(message.header(), options);
  return request_on_device(socket, message.header(), ifindex,
                           qdisc_action(write, "htb", handle, kRootParent));
}

Result<void> add_tbf_qdisc(NetlinkSocket& socket, int ifindex, Handle handle, Rate rate, uint32_t burst_bytes,
                           uint32_t limit_bytes, QdiscWrite write) {
  const uint64_t rate_bytes = rate.bytes_per_second();
  NetlinkMessage message(RTM_NEWQDISC, write_flags(write));
  put_tc_header(message, ifindex, handle, kRootParent);
  mnl_attr_put_strz(message.header(), TCA_KIND, "tbf");
  nlattr* options = mnl_attr_nest_start(message.header(), TCA_OPTIONS);
  tc_tbf_qopt parameters{};
  parameters.rate.rate = static_cast<uint32_t>(std::min(rate_bytes, kMax32));
  parameters.rate.linklayer = TC_LINKLAYER_ETHERNET;
  parameters.limit = limit_bytes;
  parameters.buffer = bytes_to_psched_ticks(burst_bytes, rate_bytes);
  mnl_attr_put(message.header(), TCA_TBF_PARMS, sizeof(parameters), &parameters);
  // TCA_TBF_BURST gives the bucket in bytes, sparing the kernel the rounding
  // through ticks; the ticks in PARMS stay for older kernels.
  mnl_attr_put_u32(message.header(), TCA_TBF_BURST, burst_bytes);
  if (rate_bytes >= kMax32) mnl_attr_put_u64(message.header(), TCA_TBF_RATE64, rate_bytes);
  mnl_attr_nest_end(message.header(), options);
  return request_on_device(socket, message.header(), ifindex,
                           qdisc_action(write, "tbf", handle, kRootParent));
}

Result<void> add_bfifo_qdisc(NetlinkSocket& socket, int ifindex, Handle parent, Handle handle,
                             uint32_t limit_bytes, QdiscWrite write) {
  NetlinkMessage message(RTM_NEWQDISC, write_flags(write));
  put_tc_header(message, ifindex, handle, parent);
  mnl_attr_put_strz(message.header(), TCA_KIND, "bfifo");
  tc_fifo_qopt options{limit_bytes};
  mnl_attr_put(message.header(), TCA_OPTIONS, sizeof(options), &options);
  return request_on_device(socket, message.header(), ifindex, qdisc_action(write, "bfifo", handle, parent));
}

Result<void> add_fq_codel_qdisc(NetlinkSocket& socket, int ifindex, Handle parent, Handle handle,
                                uint32_t limit_packets, Duration target, Duration interval,
                                QdiscWrite write) {
  NetlinkMessage message(RTM_NEWQDISC, write_flags(write));
  put_tc_header(message, ifindex, handle, parent);
  mnl_attr_put_strz(message.header(), TCA_KIND, "fq_codel");
  nlattr* options = mnl_attr_nest_start(message.header(), TCA_OPTIONS);
  if (limit_packets) mnl_attr_put_u32(message.header(), TCA_FQ_CODEL_LIMIT, limit_packets);
  if (target.count() > 0) mnl_attr_put_u32(message.header(), TCA_FQ_CODEL_TARGET, microseconds(target));
  if (interval.count() > 0) mnl_attr_put_u32(message.header(), TCA_FQ_CODEL_INTERVAL, microseconds(interval));
  mnl_attr_nest_end(message.header(), options);
  return request_on_device(socket, message.header(), ifindex,
                           qdisc_action(write, "fq_codel", handle, parent));
}

Result<void> add_leaf_qdisc(NetlinkSocket& socket, int ifindex, Handle parent, const LeafQueue& leaf,
                            QdiscWrite write) {
  switch (leaf.kind) {
    case LeafQueueKind::fq_codel:
      return add_fq_codel_qdisc(socket, ifindex, parent, leaf.handle, leaf.limit_packets, leaf.target,
                                leaf.interval, write);
    case LeafQueueKind::bfifo:
      return add_bfifo_qdisc(socket, ifindex, parent, leaf.handle, leaf.limit_bytes, write);
  }
  return Error{"cannot add leaf qdisc " + format_handle(leaf.handle) + ": unknown kind"};
}

Result<void> add_clsact_qdisc(NetlinkSocket& socket, int ifindex) {
  NetlinkMessage message(RTM_NEWQDISC, NLM_F_CREATE | NLM_F_EXCL);
  put_tc_header(message, ifindex, kClsactHandle, kIngressParent);
  mnl_attr_put_strz(message.header(), TCA_KIND, "clsact");
  return request_on_device(socket, message.header(), ifindex, "add clsact qdisc");
}

Result<void> delete_clsact_qdisc(NetlinkSocket& socket, int ifindex) {
  NetlinkMessage message(RTM_DELQDISC, 0);
  put_tc_header(message, ifindex, kClsactHandle, kIngressParent);
  return request_on_device(socket, message.header(), ifindex, "delete clsact qdisc");
}

Result<void> delete_root_qdisc(NetlinkSocket& socket, int ifindex) {
  NetlinkMessage message(RTM_DELQDISC, 0);
  put_tc_header(message, ifindex, Handle{}, kRootParent);
  return request_on_device(socket, message.header(), ifindex, "delete root qdisc");
}

Result<void> delete_qdisc(NetlinkSocket& socket, int ifindex, Handle parent, Handle handle) {
  NetlinkMessage message(RTM_DELQDISC, 0);
  put_tc_header(message, ifindex, handle, parent);
  std::string action = "delete qdisc " + format_handle(handle);
  if (parent != kRootParent) action += " under " + format_handle(parent);
  return request_on_device(socket, message.header(), ifindex, action);
}

Result<std::vector<QdiscInfo>> list_qdiscs(NetlinkSocket& socket, int ifindex) {
  std::vector<QdiscInfo> qdiscs;
  auto dumped = dump_on_device(socket, RTM_GETQDISC, ifindex, "list qdiscs",
                               [&](const nlmsghdr* reply) -> Result<void> {
                                 if (auto parsed = parse_qdisc(reply)) qdiscs.push_back(std::move(*parsed));
                                 return success();
                               });
  if (!dumped) return Error{dumped.error()};
  return qdiscs;
}

}  // namespace nettoll
