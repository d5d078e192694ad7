// SPDX-License-Identifier: (BSD-2-Clause OR GPL-2.0)
/* Container processes in the tc programs (included by classifier.bpf.c after
 * the socket storage): see container.h for the path a packet takes.
 *
 * - classify_container_upload, on each host-side container link's ingress:
 *   the packet's socket is in the container's namespace (nsid from
 *   container_links); its rule goes into the reserved bits of skb->mark,
 *   which survive forwarding and NAT (skb->priority does not), and its
 *   owner into a per-CPU note the uplink egress reads for the same packet.
 * - container_sender, at the uplink egress: a forwarded packet carrying the
 *   mark gets its rule, and its post-NAT tuple is recorded in container_flows.
 * - container_flow_owner, at the uplink ingress: replies find their rule and
 *   process there (a socket lookup fails under NAT: the tuple is the host's). */
#ifndef NETTOLL_CONTAINER_LINKS_BPF_H
#define NETTOLL_CONTAINER_LINKS_BPF_H

#include <bpf/bpf_endian.h>
#include <bpf/bpf_helpers.h>
#include <linux/bpf.h>
#include <linux/in.h>
#include <linux/ip.h>
#include <linux/ipv6.h>
#include <linux/pkt_cls.h>

#include "container.h"

struct {
  __uint(type, BPF_MAP_TYPE_HASH);
  __uint(max_entries, NETTOLL_MAX_CONTAINER_LINKS);
  __uint(map_flags, BPF_F_NO_PREALLOC);
  __type(key, __u32); /* host-side ifindex */
  __type(value, struct container_link);
} container_links SEC(".maps");

struct {
  __uint(type, BPF_MAP_TYPE_ARRAY);
  __uint(max_entries, 1);
  __type(key, __u32);
  __type(value, struct container_settings);
} container_settings SEC(".maps");

struct {
  __uint(type, BPF_MAP_TYPE_LRU_HASH);
  __uint(max_entries, NETTOLL_MAX_CONTAINER_FLOWS);
  __type(key, struct container_flow_key);
  __type(value, struct container_flow);
} container_flows SEC(".maps");

/* What the link program learnt about the packet it last marked on this
 * CPU. Forwarding runs in the same softirq as the link's ingress, so the
 * uplink egress usually sees that very packet next; the fingerprint (IP id
 * and length, remote end) tells when it does not (a packet queued for ARP). */
struct container_sender {
  struct socket_rule owner;
  __u32 link_ifindex;
  __u32 fingerprint;
  __u8 protocol;
  __u8 family;
  __be16 remote_port;
  __u8 remote[16];
};

struct {
  __uint(type, BPF_MAP_TYPE_PERCPU_ARRAY);
  __uint(max_entries, 1);
  __type(key, __u32);
  __type(value, struct container_sender);
} container_senders SEC(".maps");

/* The packet's flow, `local` being its source when `outbound`, and a
 * fingerprint NAT leaves alone. 0 when it is not TCP/UDP over IP (or a
 * later fragment, or IPv6 with extension headers). */
static __always_inline int container_packet_flow(struct __sk_buff *skb, int outbound,
                                                 struct container_flow_key *key, __u32 *fingerprint) {
  __u32 ports_offset;
  __u8 *source = outbound ? key->local : key->remote;
  __u8 *destination = outbound ? key->remote : key->local;
  if (skb->protocol == bpf_htons(ETH_P_IP)) {
    struct iphdr ip;
    if (bpf_skb_load_bytes_relative(skb, 0, &ip, sizeof(ip), BPF_HDR_START_NET)) return 0;
    if (ip.ihl < 5 || (ip.frag_off & bpf_htons(0x1fff))) return 0;
    key->family = 4;
    key->protocol = ip.protocol;
    __builtin_memcpy(source, &ip.saddr, 4);
    __builtin_memcpy(destination, &ip.daddr, 4);
    *fingerprint = ((__u32)ip.tot_len << 16) | ip.id;
    ports_offset = ip.ihl * 4;
  } else if (skb->protocol == bpf_htons(ETH_P_IPV6)) {
    struct ipv6hdr ip;
    if (bpf_skb_load_bytes_relative(skb, 0, &ip, sizeof(ip), BPF_HDR_START_NET)) return 0;
    key->family = 6;
    key->protocol = ip.nexthdr;
    __builtin_memcpy(source, &ip.saddr, 16);
    __builtin_memcpy(destination, &ip.daddr, 16);
    __u32 label = ((__u32)(ip.flow_lbl[0] & 0x0f) << 16) | ((__u32)ip.flow_lbl[1] << 8) | ip.flow_lbl[2];
    *fingerprint = ((__u32)ip.payload_len << 16) ^ label;
    ports_offset = sizeof(ip);
  } else {
    return 0;
  }
  if (key->protocol != IPPROTO_TCP && key->protocol != IPPROTO_UDP) return 0;
  __be16 ports[2];
  if (bpf_skb_load_bytes_relative(skb, ports_offset, ports, sizeof(ports), BPF_HDR_START_NET)) return 0;
  key->local_port = outbound ? ports[0] : ports[1];
  key->remote_port = outbound ? ports[1] : ports[0];
  return 1;
}

static __always_inline struct container_settings *container_config(void) {
  __u32 zero = 0;
  struct container_settings *config = bpf_map_lookup_elem(&container_settings, &zero);
  return config && config->mark_mask ? config : NULL;
}

/* The storage of the container socket that sent the packet: the lookup
 * helpers search in the receive direction, so the tuple is swapped; a wrong
 * namespace could return another namespace's wildcard socket, hence the
 * local port check. A TCP listener sends nothing of its own (a request sock
 * sends the SYN-ACK): its match is a packet the namespace forwards from
 * elsewhere, with the listener's port as its source. */
static __always_inline struct socket_rule *container_socket_owner(struct __sk_buff *skb,
                                                                  const struct container_flow_key *flow,
                                                                  __s32 nsid) {
  struct bpf_sock_tuple tuple = {};
  __u32 size;
  if (flow->family == 4) {
    __builtin_memcpy(&tuple.ipv4.saddr, flow->remote, 4);
    __builtin_memcpy(&tuple.ipv4.daddr, flow->local, 4);
    tuple.ipv4.sport = flow->remote_port;
    tuple.ipv4.dport = flow->local_port;
    size = sizeof(tuple.ipv4);
  } else {
    __builtin_memcpy(tuple.ipv6.saddr, flow->remote, 16);
    __builtin_memcpy(tuple.ipv6.daddr, flow->local, 16);
    tuple.ipv6.sport = flow->remote_port;
    tuple.ipv6.dport = flow->local_port;
    size = sizeof(tuple.ipv6);
  }
  struct bpf_sock *found;
  if (flow->protocol == IPPROTO_TCP)
    found = bpf_skc_lookup_tcp(skb, &tuple, size, (__u64)(__s64)nsid, 0);
  else
    found = bpf_sk_lookup_udp(skb, &tuple, size, (__u64)(__s64)nsid, 0);
  if (!found) return NULL;
  struct socket_rule *stored = NULL;
  struct bpf_sock *full = bpf_sk_fullsock(found);
  if (full && full->src_port == bpf_ntohs(flow->local_port) &&
      !(flow->protocol == IPPROTO_TCP && full->state == BPF_TCP_LISTEN))
    stored = stored_rule(full);
  bpf_sk_release(found);
  return stored;
}

/* The mark field for `rule`: the rule id when it fits, else all ones. */
static __always_inline __u32 container_mark_field(const struct container_settings *config, __u32 rule) {
  const __u32 all_ones = config->mark_mask >> config->mark_shift;
  return rule != NETTOLL_NO_RULE && rule < all_ones ? rule : all_ones;
}

SEC("tc")
int classify_container_upload(struct __sk_buff *skb) {
  struct container_settings *config = container_config();
  if (!config) return TC_ACT_UNSPEC;
  const __u32 shift = config->mark_shift & 31;
  __u32 ifindex = skb->ifindex;
  struct container_link *link = bpf_map_lookup_elem(&container_links, &ifindex);
  if (!link) return TC_ACT_UNSPEC;
  struct container_flow_key flow = {};
  __u32 fingerprint = 0;
  if (!container_packet_flow(skb, 1, &flow, &fingerprint)) return TC_ACT_UNSPEC;
  struct socket_rule *owner = container_socket_owner(skb, &flow, link->nsid);
  if (!owner) return TC_ACT_UNSPEC;
  /* Only a packet it attributes gets a mark: the others keep theirs (a
   * packet from another namespace arrives with none, the veth clears it). */
  skb->mark = (skb->mark & ~config->mark_mask) |
              ((container_mark_field(config, owner->rule_id) << shift) & config->mark_mask);
  __u32 zero = 0;
  struct container_sender *note = bpf_map_lookup_elem(&container_senders, &zero);
  if (note) {
    note->owner = *owner;
    note->link_ifindex = ifindex;
    note->fingerprint = fingerprint;
    note->protocol = flow.protocol;
    note->family = flow.family;
    note->remote_port = flow.remote_port;
    __builtin_memcpy(note->remote, flow.remote, sizeof(note->remote));
  }
  return TC_ACT_UNSPEC;
}

static __always_inline int same_remote(const struct container_sender *note,
                                       const struct container_flow_key *flow, __u32 fingerprint) {
  if (note->fingerprint != fingerprint || note->protocol != flow->protocol || note->family != flow->family ||
      note->remote_port != flow->remote_port)
    return 0;
  for (int i = 0; i < 16; i++)
    if (note->remote[i] != flow->remote[i]) return 0;
  return 1;
}

/* At the uplink egress, for a packet without a socket: when it carries a
 * container's mark, its owner goes into `owner` (the rule from the mark, the
 * process from the link program's note or the flow's entry) and its flow is
 * recorded for the replies. 0 when it is no container's packet. */
static __always_inline int container_sender(struct __sk_buff *skb, struct socket_rule *owner) {
  struct container_settings *config = container_config();
  if (!config) return 0;
  const __u32 field = (skb->mark & config->mark_mask) >> (config->mark_shift & 31);
  if (!field) return 0;
  struct container_flow_key key = {};
  __u32 fingerprint = 0;
  if (!container_packet_flow(skb, 1, &key, &fingerprint)) return 0;
  const __u32 all_ones = config->mark_mask >> (config->mark_shift & 31);
  const __u32 rule = field == all_ones ? NETTOLL_NO_RULE : field;
  const __u64 now = bpf_ktime_get_ns();
  __u32 zero = 0;
  struct container_sender *note = bpf_map_lookup_elem(&container_senders, &zero);
  struct container_flow *recorded = bpf_map_lookup_elem(&container_flows, &key);
  if (note && same_remote(note, &key, fingerprint)) {
    note->fingerprint = 0; /* one packet, one match */
    struct container_flow fresh = {
        .owner = note->owner, .link_ifindex = note->link_ifindex, .last_seen_ns = now};
    fresh.owner.rule_id = rule;
    if (!recorded || recorded->owner.tgid != fresh.owner.tgid || recorded->owner.rule_id != rule ||
        recorded->link_ifindex != fresh.link_ifindex) {
      bpf_map_update_elem(&container_flows, &key, &fresh, BPF_ANY);
    } else {
      recorded->last_seen_ns = now;
    }
    *owner = fresh.owner;
    return 1;
  }
  if (recorded) {
    recorded->last_seen_ns = now;
    recorded->owner.rule_id = rule;
    *owner = recorded->owner;
    return 1;
  }
  struct container_flow fresh = {.last_seen_ns = now};
  fresh.owner.rule_id = rule;
  bpf_map_update_elem(&container_flows, &key, &fresh, BPF_ANY);
  *owner = fresh.owner;
  return 1;
}

/* At the uplink ingress: the owner of a reply to a container's flow, from
 * its recent entry. 0 when none (or no container link exists). */
static __always_inline int container_flow_owner(struct __sk_buff *skb, struct socket_rule *owner) {
  struct container_settings *config = container_config();
  if (!config || !config->link_count) return 0;
  struct container_flow_key key = {};
  __u32 fingerprint = 0;
  if (!container_packet_flow(skb, 0, &key, &fingerprint)) return 0;
  struct container_flow *recorded = bpf_map_lookup_elem(&container_flows, &key);
  if (!recorded) return 0;
  if (bpf_ktime_get_ns() - recorded->last_seen_ns > config->flow_timeout_ns) return 0;
  *owner = recorded->owner;
  return 1;
}

#endif /* NETTOLL_CONTAINER_LINKS_BPF_H */
