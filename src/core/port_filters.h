// SPDX-License-Identifier: Apache-2.0
// The fallback classifier's plan: where the kernel lacks what the eBPF
// classifier needs, each local port of a matched process's sockets gets a u32
// filter (source port on the interface's egress HTB, destination port on the
// IFB's), the way TrafficToll classifies but for IPv6 too. Pure: the daemon
// reads sockets (sock_diag) and processes (/proc), this decides the filters
// and the minimal changes to the ones installed, with their u32 handles.
#pragma once

#include <cstdint>
#include <map>
#include <vector>

#include "core/plan.h"

namespace nettoll {

enum class IpFamily : uint8_t { ipv4, ipv6 };
enum class FilterDirection : uint8_t { egress, ingress };

// One local socket as sock_diag reports it.
struct LocalSocket {
  IpFamily family = IpFamily::ipv4;
  uint8_t protocol = 0;  // IPPROTO_TCP or IPPROTO_UDP
  uint16_t local_port = 0;
  uint64_t inode = 0;
  bool v6_only = false;  // an IPv6 socket that does not also carry IPv4
};

// What identifies a port filter in the kernel (one per direction, family,
// protocol and port), and the class it sends packets to.
struct PortFilterKey {
  FilterDirection direction = FilterDirection::egress;
  IpFamily family = IpFamily::ipv4;
  uint8_t protocol = 0;
  uint16_t port = 0;
  auto operator<=>(const PortFilterKey&) const = default;
};

struct PortFilter {
  PortFilterKey key;
  Handle class_id;
  bool operator==(const PortFilter&) const = default;
};

// The filters for `sockets` whose inode has a rule in `socket_rules`, sent to
// the classes `classifier` gives that rule. A port used by sockets of several
// rules goes to the lowest rule id (config order), so the result does not
// depend on dump order. Dual-stack IPv6 sockets get an IPv4 filter too.
std::vector<PortFilter> plan_port_filters(const std::vector<LocalSocket>& sockets,
                                          const std::map<uint64_t, uint32_t>& socket_rules,
                                          const std::vector<ClassifierEntry>& classifier);

// An address filter of the fallback path: a reserved stream's packets to the
// viewer (egress, destination address) or from it (ingress, source address)
// go to its class, before any port filter is consulted.
struct StreamFilter {
  FilterDirection direction = FilterDirection::egress;
  Cidr remote;  // a /32 or /128
  Handle class_id;
  bool operator==(const StreamFilter&) const = default;
};

// One filter per direction in which a stream has a class, in plan order
// (egress, then ingress, of each stream).
std::vector<StreamFilter> plan_stream_filters(const std::vector<StreamClassifierEntry>& streams);

// u32 node handles: one hash table per family (u32 table ids are shared by
// every u32 filter of a qdisc) with one bucket per low byte of the port, so a
// packet is compared with the filters of its bucket only; node ids
// 1..0xfff within a bucket.
inline constexpr uint32_t kPortHashBuckets = 256;
inline constexpr uint32_t kMaxNodesPerBucket = 0xfff;
// The 12-bit u32 table id of `family`'s port table ("7a1:" for IPv4, "7a2:").
uint32_t port_hash_table(IpFamily family);
uint32_t port_bucket(uint16_t port);
// The handle of node `node` in `family`'s table, bucket `bucket`.
uint32_t port_node_handle(IpFamily family, uint32_t bucket, uint32_t node);

struct InstalledPortFilter {
  PortFilter filter;
  uint32_t handle = 0;
  bool operator==(const InstalledPortFilter&) const = default;
};

// What to change so the installed filters become `wanted`: removals first
// (a class change is a removal and an addition), then additions with
// handles that are free once the removals are done.
struct PortFilterChanges {
  std::vector<InstalledPortFilter> remove;
  std::vector<InstalledPortFilter> add;
};
PortFilterChanges diff_port_filters(const std::vector<InstalledPortFilter>& installed,
                                    const std::vector<PortFilter>& wanted);

}  // namespace nettoll
