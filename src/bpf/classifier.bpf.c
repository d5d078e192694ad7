// SPDX-License-Identifier: (BSD-2-Clause OR GPL-2.0)
/* nettoll's per-process classifier.
 *
 * A socket gets its rule once, when it is created (cgroup/sock_create), from
 * the creating task; the tc programs read the rule from the packet's socket
 * and turn it into skb->priority, which HTB reads as a class id. Sockets keep
 * a rule id, not a class, so a config reload rewrites one small array.
 *
 * Only uapi structs (__sk_buff, bpf_sock): the kernels we run on may have no
 * BTF, so nothing here relocates against kernel types. */
#include "classifier.h"

#include <bpf/bpf_endian.h>
#include <bpf/bpf_helpers.h>
#include <linux/bpf.h>
#include <linux/if_ether.h>
#include <linux/in.h>
#include <linux/ip.h>
#include <linux/ipv6.h>
#include <linux/pkt_cls.h>

#include "stream_classes.bpf.h"

char LICENSE[] SEC("license") = "Dual BSD/GPL";

/* Userspace keeps these current (proc-connector events, the config). */
struct {
  __uint(type, BPF_MAP_TYPE_HASH);
  __uint(max_entries, NETTOLL_MAX_PIDS);
  __uint(map_flags, BPF_F_NO_PREALLOC);
  __type(key, __u32); /* tgid */
  __type(value, __u32);
} pid_rules SEC(".maps");

struct {
  __uint(type, BPF_MAP_TYPE_HASH);
  __uint(max_entries, NETTOLL_MAX_CGROUPS);
  __uint(map_flags, BPF_F_NO_PREALLOC);
  __type(key, __u64); /* cgroup v2 id */
  __type(value, __u32);
} cgroup_rules SEC(".maps");

struct {
  __uint(type, BPF_MAP_TYPE_HASH);
  __uint(max_entries, NETTOLL_MAX_UIDS);
  __uint(map_flags, BPF_F_NO_PREALLOC);
  __type(key, __u32);
  __type(value, __u32);
} uid_rules SEC(".maps");

struct {
  __uint(type, BPF_MAP_TYPE_HASH);
  __uint(max_entries, NETTOLL_MAX_COMMS);
  __uint(map_flags, BPF_F_NO_PREALLOC);
  __type(key, struct comm_key);
  __type(value, __u32);
} comm_rules SEC(".maps");

/* BPF_F_CLONE: a socket accept() returns is cloned from the listener and
 * inherits its rule, so servers are classified too (sock_create never runs
 * for accepted sockets). */
struct {
  __uint(type, BPF_MAP_TYPE_SK_STORAGE);
  __uint(map_flags, BPF_F_NO_PREALLOC | BPF_F_CLONE);
  __type(key, int);
  __type(value, struct socket_rule);
} socket_rules SEC(".maps");

struct {
  __uint(type, BPF_MAP_TYPE_ARRAY);
  __uint(max_entries, NETTOLL_MAX_RULES);
  __type(key, __u32);
  __type(value, struct rule_classes);
} rule_classes SEC(".maps");

struct {
  __uint(type, BPF_MAP_TYPE_ARRAY);
  __uint(max_entries, NETTOLL_MAX_RULES);
  __type(key, __u32);
  __type(value, struct rule_traffic);
} rule_traffic SEC(".maps");

struct {
  __uint(type, BPF_MAP_TYPE_ARRAY);
  __uint(max_entries, 1);
  __type(key, __u32);
  __type(value, struct classifier_settings);
} settings SEC(".maps");

/* Per-process accounting: every packet the tc programs see is counted here,
 * whether its socket has a rule or not. */
struct {
  __uint(type, BPF_MAP_TYPE_LRU_PERCPU_HASH);
  __uint(max_entries, NETTOLL_MAX_ACCOUNTED);
  __type(key, struct process_key);
  __type(value, struct process_traffic);
} process_traffic SEC(".maps");

/* The deepest cgroup with a rule among the task's cgroup and its ancestors. */
static __always_inline __u32 *cgroup_rule_of_current_task(void) {
  __u64 id = bpf_get_current_cgroup_id();
  __u32 *rule = bpf_map_lookup_elem(&cgroup_rules, &id);
  if (rule) return rule;
  __u32 *deepest = NULL;
  for (int level = 1; level < NETTOLL_MAX_CGROUP_DEPTH; level++) {
    __u64 ancestor = bpf_get_current_ancestor_cgroup_id(level);
    if (!ancestor) break;
    __u32 *found = bpf_map_lookup_elem(&cgroup_rules, &ancestor);
    if (found) deepest = found;
  }
  return deepest;
}

/* pid, then cgroup, then comm, then uid. An entry decides even when its rule
 * is NETTOLL_NO_RULE: userspace exempts a process from kernel-decided rules by
 * mapping its tgid to 0. */
static __always_inline __u32 rule_of_current_task(void) {
  __u32 tgid = bpf_get_current_pid_tgid() >> 32;
  __u32 *rule = bpf_map_lookup_elem(&pid_rules, &tgid);
  if (rule) return *rule;
  rule = cgroup_rule_of_current_task();
  if (rule) return *rule;
  struct comm_key comm = {};
  bpf_get_current_comm(comm.comm, sizeof(comm.comm));
  rule = bpf_map_lookup_elem(&comm_rules, &comm);
  if (rule) return *rule;
  __u32 uid = (__u32)bpf_get_current_uid_gid();
  rule = bpf_map_lookup_elem(&uid_rules, &uid);
  if (rule) return *rule;
  return NETTOLL_NO_RULE;
}

/* Runs for every socket created in the cgroup it is attached to (all of them,
 * on the root): it must never refuse one. */
SEC("cgroup/sock_create")
int assign_socket_rule(struct bpf_sock *sk) {
  /* Every socket gets storage, ruled or not: accounting needs its creator. */
  struct socket_rule *stored = bpf_sk_storage_get(&socket_rules, sk, 0, BPF_SK_STORAGE_GET_F_CREATE);
  if (stored) {
    stored->rule_id = rule_of_current_task();
    stored->tgid = bpf_get_current_pid_tgid() >> 32;
    bpf_get_current_comm(stored->comm, sizeof(stored->comm));
  }
  return 1;
}

/* Counts the packet for the socket's creator (`owner` NULL: "other"). Never
 * drops or delays it: a full map evicts its least recently used entry. */
static __always_inline void count_packet(struct __sk_buff *skb, const struct socket_rule *owner,
                                         int ingress) {
  struct process_key key = {};
  if (owner && owner->tgid) {
    key.tgid = owner->tgid;
    key.rule_id = owner->rule_id;
    __builtin_memcpy(key.comm, owner->comm, sizeof(key.comm));
  }
  struct process_traffic *traffic = bpf_map_lookup_elem(&process_traffic, &key);
  if (!traffic) {
    struct process_traffic zero = {};
    bpf_map_update_elem(&process_traffic, &key, &zero, BPF_NOEXIST);
    traffic = bpf_map_lookup_elem(&process_traffic, &key);
    if (!traffic) return;
  }
  if (ingress) {
    traffic->ingress_packets += 1;
    traffic->ingress_bytes += skb->len;
  } else {
    traffic->egress_packets += 1;
    traffic->egress_bytes += skb->len;
  }
}

/* Sets the packet's class from its rule and counts it; returns nonzero when
 * the rule is blocked (a quota's `then: block`): the caller drops it. */
static __always_inline int apply_rule(struct __sk_buff *skb, __u32 rule, int ingress) {
  if (rule == NETTOLL_NO_RULE) return 0;
  struct rule_classes *classes = bpf_map_lookup_elem(&rule_classes, &rule);
  if (!classes) return 0;
  struct rule_traffic *traffic = bpf_map_lookup_elem(&rule_traffic, &rule);
  if (classes->blocked) {
    if (traffic && ingress) __sync_fetch_and_add(&traffic->ingress_drops, 1);
    if (traffic && !ingress) __sync_fetch_and_add(&traffic->egress_drops, 1);
    return 1;
  }
  __u32 priority = ingress ? classes->ingress_priority : classes->egress_priority;
  if (priority) skb->priority = priority;
  if (!traffic) return 0;
  if (ingress) {
    __sync_fetch_and_add(&traffic->ingress_packets, 1);
    __sync_fetch_and_add(&traffic->ingress_bytes, skb->len);
  } else {
    __sync_fetch_and_add(&traffic->egress_packets, 1);
    __sync_fetch_and_add(&traffic->egress_bytes, skb->len);
  }
  return 0;
}

static __always_inline struct socket_rule *stored_rule(struct bpf_sock *sk) {
  return bpf_sk_storage_get(&socket_rules, sk, 0, 0);
}

#include "container_links.bpf.h"

/* Other filters on the hook (another tool's, or nettoll's own mirred
 * redirect) still run after ours: TC_ACT_UNSPEC continues the filter chain,
 * where TC_ACT_OK would end it. */
SEC("tc")
int classify_egress(struct __sk_buff *skb) {
  struct bpf_sock *sk = skb->sk;
  if (sk) sk = bpf_sk_fullsock(sk);
  struct socket_rule *stored = sk ? stored_rule(sk) : NULL;
  struct socket_rule container_owner = {}; /* forwarded from a container */
  if (!sk && container_sender(skb, &container_owner)) stored = &container_owner;
  if (apply_rule(skb, stored ? stored->rule_id : NETTOLL_NO_RULE, 0)) return TC_ACT_SHOT;
  count_packet(skb, stored, 0);
  apply_stream(skb, 0);
  return TC_ACT_UNSPEC;
}

/* The storage of the local socket a received packet is for, copied into
 * `owner` (left zero when none); the tuple is the packet's own (source = the
 * remote end). Request and time-wait sockets have no storage: they get no
 * rule and count as "other". */
static __always_inline void owner_of_local_socket(struct __sk_buff *skb, struct bpf_sock_tuple *tuple,
                                                  __u32 tuple_size, __u8 protocol,
                                                  struct socket_rule *owner) {
  struct bpf_sock *found;
  if (protocol == IPPROTO_TCP)
    found = bpf_skc_lookup_tcp(skb, tuple, tuple_size, BPF_F_CURRENT_NETNS, 0);
  else
    found = bpf_sk_lookup_udp(skb, tuple, tuple_size, BPF_F_CURRENT_NETNS, 0);
  if (!found) return;
  struct bpf_sock *full = bpf_sk_fullsock(found);
  if (full) {
    struct socket_rule *stored = stored_rule(full);
    if (stored) *owner = *stored;
  }
  bpf_sk_release(found);
}

/* Only the first fragment carries the ports. */
#define NETTOLL_IP_FRAGMENT_OFFSET 0x1fff

static __always_inline void ingress_owner_ipv4(struct __sk_buff *skb, __u32 offset,
                                               struct socket_rule *owner) {
  struct iphdr ip;
  if (bpf_skb_load_bytes(skb, offset, &ip, sizeof(ip))) return;
  if (ip.ihl < 5 || (ip.frag_off & bpf_htons(NETTOLL_IP_FRAGMENT_OFFSET))) return;
  if (ip.protocol != IPPROTO_TCP && ip.protocol != IPPROTO_UDP) return;
  __be16 ports[2];
  if (bpf_skb_load_bytes(skb, offset + ip.ihl * 4, ports, sizeof(ports))) return;
  struct bpf_sock_tuple tuple = {};
  tuple.ipv4.saddr = ip.saddr;
  tuple.ipv4.daddr = ip.daddr;
  tuple.ipv4.sport = ports[0];
  tuple.ipv4.dport = ports[1];
  owner_of_local_socket(skb, &tuple, sizeof(tuple.ipv4), ip.protocol, owner);
}

/* TCP or UDP right after the fixed header; extension headers get no rule. */
static __always_inline void ingress_owner_ipv6(struct __sk_buff *skb, __u32 offset,
                                               struct socket_rule *owner) {
  struct ipv6hdr ip;
  if (bpf_skb_load_bytes(skb, offset, &ip, sizeof(ip))) return;
  if (ip.nexthdr != IPPROTO_TCP && ip.nexthdr != IPPROTO_UDP) return;
  __be16 ports[2];
  if (bpf_skb_load_bytes(skb, offset + sizeof(ip), ports, sizeof(ports))) return;
  struct bpf_sock_tuple tuple = {};
  __builtin_memcpy(tuple.ipv6.saddr, &ip.saddr, sizeof(tuple.ipv6.saddr));
  __builtin_memcpy(tuple.ipv6.daddr, &ip.daddr, sizeof(tuple.ipv6.daddr));
  tuple.ipv6.sport = ports[0];
  tuple.ipv6.dport = ports[1];
  owner_of_local_socket(skb, &tuple, sizeof(tuple.ipv6), ip.nexthdr, owner);
}

/* At tc ingress skb->data is the MAC header (cls_bpf pushes it back), so the
 * network header starts after the link-layer header: 14 bytes on Ethernet,
 * none on L3 devices (tun, wireguard). Returns nonzero when the packet's rule
 * is blocked: the caller drops it. */
static __always_inline int classify_ingress(struct __sk_buff *skb, __u32 network_offset) {
  struct socket_rule owner = {};
  /* A reply to a container: the host may have a socket on the NAT port too. */
  const int to_container = container_flow_owner(skb, &owner);
  if (!to_container && skb->protocol == bpf_htons(ETH_P_IP)) ingress_owner_ipv4(skb, network_offset, &owner);
  if (!to_container && skb->protocol == bpf_htons(ETH_P_IPV6))
    ingress_owner_ipv6(skb, network_offset, &owner);
  if (apply_rule(skb, owner.rule_id, 1)) return 1;
  count_packet(skb, &owner, 1);
  apply_stream(skb, 1);
  return 0;
}

SEC("tc")
int classify_ingress_ethernet(struct __sk_buff *skb) {
  if (classify_ingress(skb, ETH_HLEN)) return TC_ACT_SHOT;
  __u32 zero = 0;
  struct classifier_settings *config = bpf_map_lookup_elem(&settings, &zero);
  if (config && config->ifb_ifindex) return bpf_redirect(config->ifb_ifindex, 0);
  return TC_ACT_UNSPEC;
}

/* bpf_redirect drops a packet without a link-layer header on its way to an
 * Ethernet device (the IFB) with -ERANGE: on L3 devices the program only
 * classifies, and a mirred filter after it does the redirect. */
SEC("tc")
int classify_ingress_l3(struct __sk_buff *skb) {
  if (classify_ingress(skb, 0)) return TC_ACT_SHOT;
  return TC_ACT_UNSPEC;
}

/* A socket filter on the daemon's proc connector socket: of the machine's
 * process events it keeps what the daemon needs, so the rest never wakes it.
 * Exec, comm and uid events (any process may start matching a rule) and the
 * connector's acknowledgements pass; a fork passes only when the parent has
 * a rule (its child shares or inherits it); thread events and exits are
 * dropped (the daemon watches matched processes' exits with pidfds). */
#define NETTOLL_CN_EVENT_OFFSET (16 /* nlmsghdr */ + 20 /* cn_msg */)
#define NETTOLL_CN_DATA_OFFSET (NETTOLL_CN_EVENT_OFFSET + 16 /* what, cpu, timestamp */)

SEC("socket")
int filter_process_events(struct __sk_buff *skb) {
  __u32 what = 0;
  if (bpf_skb_load_bytes(skb, NETTOLL_CN_EVENT_OFFSET, &what, sizeof(what)) < 0) return 0;
  switch (what) {
    case 0x00000000: /* PROC_EVENT_NONE: an acknowledgement */
    case 0x00000002: /* PROC_EVENT_EXEC */
    case 0x00000004: /* PROC_EVENT_UID */
    case 0x00000200: /* PROC_EVENT_COMM */
      return skb->len;
    case 0x00000001: { /* PROC_EVENT_FORK */
      struct {
        __u32 parent_pid, parent_tgid, child_pid, child_tgid;
      } fork;
      if (bpf_skb_load_bytes(skb, NETTOLL_CN_DATA_OFFSET, &fork, sizeof(fork)) < 0) return 0;
      if (fork.child_pid != fork.child_tgid) return 0; /* a thread */
      __u32 parent = fork.parent_tgid;
      return bpf_map_lookup_elem(&pid_rules, &parent) ? skb->len : 0;
    }
    default:
      return 0;
  }
}
