// SPDX-License-Identifier: (BSD-2-Clause OR GPL-2.0)
/* Reserved streams in the tc programs (included by classifier.bpf.c): while
 * a remote viewer streams, packets to its address (egress) and from it
 * (ingress) go to the viewer's class, whatever socket they belong to, so the
 * stream is protected even from programs no rule knows, and from forwarded
 * traffic (a media server in a container) that has no socket here. One hash
 * lookup per packet, none while no stream is active. */
#ifndef NETTOLL_STREAM_CLASSES_BPF_H
#define NETTOLL_STREAM_CLASSES_BPF_H

#include <bpf/bpf_endian.h>
#include <bpf/bpf_helpers.h>
#include <linux/bpf.h>
#include <linux/if_ether.h>
#include <linux/ip.h>
#include <linux/ipv6.h>

#include "classifier.h"

struct {
  __uint(type, BPF_MAP_TYPE_HASH);
  __uint(max_entries, NETTOLL_MAX_STREAMS);
  __uint(map_flags, BPF_F_NO_PREALLOC);
  __type(key, __be32);
  __type(value, struct stream_classes);
} stream_classes_ipv4 SEC(".maps");

struct {
  __uint(type, BPF_MAP_TYPE_HASH);
  __uint(max_entries, NETTOLL_MAX_STREAMS);
  __uint(map_flags, BPF_F_NO_PREALLOC);
  __type(key, struct stream_key_ipv6);
  __type(value, struct stream_classes);
} stream_classes_ipv6 SEC(".maps");

/* stream_count[0]: entries in both maps (userspace keeps it), so packets
 * skip the lookup while nobody streams. */
struct {
  __uint(type, BPF_MAP_TYPE_ARRAY);
  __uint(max_entries, 1);
  __type(key, __u32);
  __type(value, __u32);
} stream_count SEC(".maps");

/* Reads relative to the network header, which the stack has set at both tc
 * hooks, so Ethernet and L3 devices need no offset of their own. */
static __always_inline struct stream_classes *stream_of_packet(struct __sk_buff *skb, int ingress) {
  if (skb->protocol == bpf_htons(ETH_P_IP)) {
    __be32 address;
    const __u32 offset =
        ingress ? __builtin_offsetof(struct iphdr, saddr) : __builtin_offsetof(struct iphdr, daddr);
    if (bpf_skb_load_bytes_relative(skb, offset, &address, sizeof(address), BPF_HDR_START_NET)) return NULL;
    return bpf_map_lookup_elem(&stream_classes_ipv4, &address);
  }
  if (skb->protocol == bpf_htons(ETH_P_IPV6)) {
    struct stream_key_ipv6 key;
    const __u32 offset =
        ingress ? __builtin_offsetof(struct ipv6hdr, saddr) : __builtin_offsetof(struct ipv6hdr, daddr);
    if (bpf_skb_load_bytes_relative(skb, offset, &key, sizeof(key), BPF_HDR_START_NET)) return NULL;
    return bpf_map_lookup_elem(&stream_classes_ipv6, &key);
  }
  return NULL;
}

/* Runs after the socket's rule was applied: the stream's class wins. */
static __always_inline void apply_stream(struct __sk_buff *skb, int ingress) {
  __u32 zero = 0;
  __u32 *count = bpf_map_lookup_elem(&stream_count, &zero);
  if (!count || !*count) return;
  struct stream_classes *classes = stream_of_packet(skb, ingress);
  if (!classes) return;
  __u32 priority = ingress ? classes->ingress_priority : classes->egress_priority;
  if (priority) skb->priority = priority;
}

#endif /* NETTOLL_STREAM_CLASSES_BPF_H */
