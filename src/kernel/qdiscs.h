// SPDX-License-Identifier: Apache-2.0
// Qdiscs through rtnetlink: HTB and TBF at a device's root, clsact, the leaf
// queues under HTB classes (bfifo, fq_codel), deletion, and listing with
// statistics.
#pragma once

#include <cstdint>
#include <optional>
#include <string>
#include <vector>

#include "core/duration.h"
#include "core/plan.h"
#include "core/rate.h"
#include "core/result.h"
#include "kernel/netlink_socket.h"
#include "kernel/tc_message.h"

namespace nettoll {

// How a qdisc is put in place: `add` fails when something with that handle or
// at that parent is already there (NLM_F_EXCL); `replace` swaps out whatever
// sits at the parent (NLM_F_REPLACE).
enum class QdiscWrite { add, replace };

struct QdiscInfo {
  std::string kind;  // "htb", "tbf", "bfifo", "fq_codel", "clsact", "noqueue", ...
  Handle handle;
  Handle parent;  // kRootParent at the root, kIngressParent for clsact/ingress
  bool root = false;
  // Decoded options, where the kind has them (0 otherwise).
  uint16_t htb_default = 0;
  uint32_t limit_bytes = 0;    // bfifo, tbf
  uint32_t limit_packets = 0;  // pfifo, fq_codel
  Duration fq_codel_target{};
  Duration fq_codel_interval{};
  Rate tbf_rate;
  uint32_t tbf_burst_bytes = 0;  // as the kernel holds it (via psched ticks)
  TcStats stats;
};

// HTB at the root of `ifindex` with handle `handle` (major:0); unclassified
// traffic goes to class major:`default_minor`.
Result<void> add_htb_qdisc(NetlinkSocket& socket, int ifindex, Handle handle, uint16_t default_minor,
                           QdiscWrite write = QdiscWrite::add);

// TBF at the root of `ifindex`: `rate`, a bucket of `burst_bytes`, and a
// queue of `limit_bytes`. Rates of 2^32 bytes/s and more are supported.
Result<void> add_tbf_qdisc(NetlinkSocket& socket, int ifindex, Handle handle, Rate rate, uint32_t burst_bytes,
                           uint32_t limit_bytes, QdiscWrite write = QdiscWrite::add);

// A byte-limited fifo under `parent` (an HTB class).
Result<void> add_bfifo_qdisc(NetlinkSocket& socket, int ifindex, Handle parent, Handle handle,
                             uint32_t limit_bytes, QdiscWrite write = QdiscWrite::add);

// fq_codel under `parent`. Fails with ENOENT ("Specified qdisc kind is
// unknown") on kernels without it: callers probe that way.
Result<void> add_fq_codel_qdisc(NetlinkSocket& socket, int ifindex, Handle parent, Handle handle,
                                uint32_t limit_packets, Duration target, Duration interval,
                                QdiscWrite write = QdiscWrite::add);

// The leaf queue a plan asks for, under HTB class `parent`.
Result<void> add_leaf_qdisc(NetlinkSocket& socket, int ifindex, Handle parent, const LeafQueue& leaf,
                            QdiscWrite write = QdiscWrite::replace);

// clsact on `ifindex` (the ingress/egress hooks for BPF and filters). Fails
// with EEXIST when the device already has one.
Result<void> add_clsact_qdisc(NetlinkSocket& socket, int ifindex);

// Removes clsact and every filter on it. Fails when there is none.
Result<void> delete_clsact_qdisc(NetlinkSocket& socket, int ifindex);

// Deletes the root qdisc; the kernel puts its default one back. Fails (ENOENT)
// when the root holds the kernel's default already.
Result<void> delete_root_qdisc(NetlinkSocket& socket, int ifindex);

// Deletes the qdisc `handle` attached at `parent` (a class, or kRootParent).
Result<void> delete_qdisc(NetlinkSocket& socket, int ifindex, Handle parent, Handle handle);

// Decodes one RTM_NEWQDISC reply: kind, handles, options, statistics;
// nullopt for a message too short for its tcmsg.
std::optional<QdiscInfo> parse_qdisc(const nlmsghdr* reply);

// The qdiscs of `ifindex`, root first as the kernel dumps them.
Result<std::vector<QdiscInfo>> list_qdiscs(NetlinkSocket& socket, int ifindex);

}  // namespace nettoll
