// SPDX-License-Identifier: (BSD-2-Clause OR GPL-2.0)
/* What the container programs (container_links.bpf.h) and userspace
 * (kernel/bpf_container_maps.cc) share. A container's packets lose their
 * socket when the host forwards them: the program on the host-side veth
 * finds the sender's socket in the container's namespace and carries its
 * rule in reserved bits of skb->mark to the uplink, whose egress program
 * records the post-NAT tuple so the ingress program can classify replies. */
#ifndef NETTOLL_BPF_CONTAINER_H
#define NETTOLL_BPF_CONTAINER_H

#include <linux/types.h>

#include "classifier.h"

/* Host-side links with a peer in another namespace the maps hold at most. */
#define NETTOLL_MAX_CONTAINER_LINKS 4096

/* Flows through container links the LRU map holds at most. */
#define NETTOLL_MAX_CONTAINER_FLOWS 65536

/* A flow's entry is used for replies this long after its last upload
 * packet; the daemon also removes older entries. */
#define NETTOLL_CONTAINER_FLOW_TIMEOUT_NS (120ull * 1000000000ull)

/* container_links value (key: the host-side ifindex, __u32). */
struct container_link {
  __s32 nsid; /* the peer's namespace, as the host's namespace numbers it */
  __u32 reserved;
};

/* container_settings[0]. The mark field holds a rule id (1 to all-ones - 1)
 * or all ones: "a container's socket without a rule". 0: not a container
 * packet. */
struct container_settings {
  __u32 mark_mask;  /* 0: container classification off */
  __u32 mark_shift; /* the mask's lowest set bit */
  __u32 link_count; /* entries in container_links: ingress skips the flow
                       lookup while there are none */
  __u32 reserved;
  __u64 flow_timeout_ns;
};

/* container_flows key: a flow as the uplink sees it, after NAT. IPv4
 * addresses take the first 4 bytes. */
struct container_flow_key {
  __u8 family; /* 4 or 6 */
  __u8 protocol;
  __be16 local_port;
  __be16 remote_port;
  __u16 reserved;
  __u8 local[16];
  __u8 remote[16];
};

/* container_flows value. */
struct container_flow {
  struct socket_rule owner; /* rule, and the process when known */
  __u32 link_ifindex;       /* the host-side link it came through; 0: unknown */
  __u32 reserved;
  __u64 last_seen_ns; /* bpf_ktime_get_ns of its last upload packet */
};

#endif /* NETTOLL_BPF_CONTAINER_H */
