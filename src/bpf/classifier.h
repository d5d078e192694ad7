// SPDX-License-Identifier: (BSD-2-Clause OR GPL-2.0)
/* What the BPF classifier (classifier.bpf.c) and userspace
 * (kernel/bpf_classifier.cc) share: map keys, values and limits. Plain C with
 * fixed-width kernel types, because both compilers read it. */
#ifndef NETTOLL_BPF_CLASSIFIER_H
#define NETTOLL_BPF_CLASSIFIER_H

#include <linux/types.h>

/* Rule ids index the rule_classes and rule_traffic arrays; 0 means "no rule". */
#define NETTOLL_MAX_RULES 32768
#define NETTOLL_NO_RULE 0

#define NETTOLL_MAX_PIDS 65536
#define NETTOLL_MAX_CGROUPS 4096
#define NETTOLL_MAX_UIDS 4096
#define NETTOLL_MAX_COMMS 4096

/* Deepest cgroup level whose ancestors the socket program checks for a
 * cgroup rule (a rule on a systemd unit covers its sub-cgroups). */
#define NETTOLL_MAX_CGROUP_DEPTH 16

/* The task name as the kernel keeps it: TASK_COMM_LEN, NUL-padded. */
#define NETTOLL_COMM_LEN 16

/* sk storage value: the rule a socket belongs to, and the process that
 * created it (for accounting; tgid 0 when unknown). */
struct socket_rule {
  __u32 rule_id;
  __u32 tgid;
  char comm[NETTOLL_COMM_LEN];
};

/* Processes the accounting map holds at most (LRU: the least recently
 * counted go first when it is full). */
#define NETTOLL_MAX_ACCOUNTED 16384

/* process_traffic key: who sent or received a packet. tgid 0 with an empty
 * comm is "other": packets without a local socket nettoll knows. */
struct process_key {
  __u32 tgid;
  __u32 rule_id;
  char comm[NETTOLL_COMM_LEN];
};

/* rule_classes value: the skb->priority each direction gets, which HTB reads
 * as a class id: (htb major << 16) | class minor. 0 leaves skb->priority
 * alone (the packet goes to the HTB's default class). */
struct rule_classes {
  __u32 egress_priority;
  __u32 ingress_priority;
  /* Nonzero: the tc programs drop the rule's packets both ways (TC_ACT_SHOT,
   * counted in rule_traffic's drops): a quota's `then: block`. */
  __u32 blocked;
};

/* Viewers of reserved streams the maps hold at most (one class minor each,
 * 7a:7000-7ffe). */
#define NETTOLL_MAX_STREAMS 4096

/* stream_classes_ipv4/ipv6 value: the skb->priority a reserved stream's
 * packets get, to the viewer (egress) and from it (ingress), whatever their
 * socket's rule. 0 leaves that direction to the socket's rule. */
struct stream_classes {
  __u32 egress_priority;
  __u32 ingress_priority;
};

/* stream_classes_ipv6 key; stream_classes_ipv4's is the address as a __be32. */
struct stream_key_ipv6 {
  __u8 address[16];
};

/* comm_rules key. */
struct comm_key {
  char comm[NETTOLL_COMM_LEN];
};

/* settings[0]. */
struct classifier_settings {
  /* Where ingress packets go after classification; 0: nowhere (the program
   * lets later filters, e.g. a mirred redirect, decide). */
  __u32 ifb_ifindex;
};

/* rule_traffic value: what the tc programs saw per rule (atomic adds);
 * packets dropped while the rule is blocked count only as drops. */
struct rule_traffic {
  __u64 egress_packets;
  __u64 egress_bytes;
  __u64 ingress_packets;
  __u64 ingress_bytes;
  __u64 egress_drops;
  __u64 ingress_drops;
};

/* process_traffic value, per CPU (plain adds): egress is upload, ingress
 * download. */
struct process_traffic {
  __u64 egress_packets;
  __u64 egress_bytes;
  __u64 ingress_packets;
  __u64 ingress_bytes;
};

#endif /* NETTOLL_BPF_CLASSIFIER_H */
