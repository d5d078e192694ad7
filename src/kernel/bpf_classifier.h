// SPDX-License-Identifier: Apache-2.0
// BpfClassifier: nettoll's eBPF classifier (src/bpf/classifier.bpf.c) in the
// kernel, and the maps that steer it. Sockets get a rule id when created
// (from the pid, cgroup, comm or uid maps) or when tagged from userspace; the
// tc programs turn a packet's rule into skb->priority, which HTB reads as the
// class. Everything attached is detached by the destructor.
#pragma once

#include <sys/types.h>

#include <cstdint>
#include <memory>
#include <optional>
#include <string>
#include <vector>

#include "core/cidr.h"
#include "core/result.h"
#include "kernel/bpf_container_maps.h"
#include "kernel/bpf_stream_map.h"

struct bpf_link;
struct bpf_program;
struct classifier_bpf;  // the generated skeleton (classifier.skel.h)

namespace nettoll {

// nettoll's classifier filter on clsact: this preference and handle. It runs
// before nettoll's mirred redirect (kRedirectFilterPref, 0x7a01) and lets it
// run after (the programs continue the filter chain).
inline constexpr uint16_t kClassifierFilterPref = 0x7a00;
inline constexpr uint32_t kClassifierFilterHandle = 0x7a;

// Rule ids run from 1 to kMaxBpfRules - 1.
inline constexpr uint32_t kMaxBpfRules = 32768;

enum class TcDirection { egress, ingress };

// What the tc programs counted for one rule since it was set.
struct RuleTraffic {
  uint64_t egress_packets = 0;
  uint64_t egress_bytes = 0;
  uint64_t ingress_packets = 0;
  uint64_t ingress_bytes = 0;
  uint64_t egress_drops = 0;  // packets dropped while the rule was blocked
  uint64_t ingress_drops = 0;
};

class BpfClassifier {
 public:
  // Loads the programs and creates the maps. Fails with the kernel's reason
  // ("cannot load the BPF classifier: Operation not permitted", plus the
  // last lines of libbpf's log when the verifier refused a program).
  static Result<BpfClassifier> load();

  BpfClassifier(BpfClassifier&& other) noexcept;
  BpfClassifier& operator=(BpfClassifier&&) = delete;
  ~BpfClassifier();

  // Runs the socket program for every socket created in the cgroup v2
  // directory `cgroup_path` and below. Attached as a bpf_link (multi-attach:
  // it never replaces another program), which the kernel also drops if
  // nettoll dies. Fails when the path is not a cgroup v2 directory.
  Result<void> attach_cgroup(const std::string& cgroup_path);

  // Puts the classifier on `ifindex`'s clsact hook in the calling thread's
  // network namespace, creating clsact if missing (and removing it again in
  // the destructor only then). Replaces a filter nettoll left behind.
  // Ingress on an Ethernet device redirects to the IFB once set_ifb is set;
  // on L3 devices (tun, wireguard) it only classifies.
  Result<void> attach_tc(int ifindex, TcDirection direction);

  // Puts the container upload program on the ingress of host-side link
  // `ifindex` (a veth whose peer is a container's), like attach_tc; it acts
  // once the link is in the container maps. detach_tc(ifindex, ingress)
  // removes it.
  Result<void> attach_container_link(int ifindex);

  // The container maps (see kernel/bpf_container_maps.h).
  ContainerMapFds container_maps() const;

  // Removes the filter attach_tc put on `ifindex` (calling thread's
  // namespace); nothing attached there is not an error.
  Result<void> detach_tc(int ifindex, TcDirection direction);

  // Ingress packets go to `ifb_ifindex` after classification; 0: stay.
  Result<void> set_ifb(int ifb_ifindex);

  // The skb->priority (htb major << 16 | minor) each direction gives rule
  // `rule_id`'s packets; 0 leaves a direction to the default class.
  // `blocked`: the programs drop the rule's packets both ways instead (a
  // quota's `then: block`). Fails when rule_id is 0 or not below kMaxBpfRules.
  Result<void> set_rule_classes(uint32_t rule_id, uint32_t egress_priority, uint32_t ingress_priority,
                                bool blocked = false);

  // Packets to viewer `remote` (egress, by destination) and from it
  // (ingress, by source) get these skb->priority values whatever their
  // socket's rule; 0 leaves a direction to the socket's rule. Fails when
  // `remote` is not a single address or the map is full.
  Result<void> set_stream_classes(const Cidr& remote, uint32_t egress_priority, uint32_t ingress_priority);
  // Removes `remote`'s entry; none there is not an error.
  void erase_stream(const Cidr& remote);
  // How many viewers have an entry (what the tc programs check first).
  uint32_t stream_count() const;

  // Kernel-decided matches for new sockets, looked up in this order: pid
  // (tgid), cgroup (the deepest of the task's cgroup and its ancestors),
  // comm, uid. A pid entry decides even with rule 0, which exempts the
  // process. Fail when the map is full.
  Result<void> set_pid_rule(pid_t tgid, uint32_t rule_id);
  Result<void> set_cgroup_rule(uint64_t cgroup_id, uint32_t rule_id);
  Result<void> set_comm_rule(const std::string& comm, uint32_t rule_id);  // first 15 bytes count
  Result<void> set_uid_rule(uid_t uid, uint32_t rule_id);
  void erase_pid(pid_t tgid);
  void erase_cgroup(uint64_t cgroup_id);
  void erase_comm(const std::string& comm);
  void erase_uid(uid_t uid);

  // Gives the socket behind `fd` (in this process) rule `rule_id`; a socket
  // the programs did not see created is accounted to process `owner` (0:
  // "other"). Fails for descriptors that are not sockets.
  Result<void> tag_socket_fd(int fd, uint32_t rule_id, pid_t owner = 0);

  // The rule of the socket behind `fd`, or nullopt when it has none.
  std::optional<uint32_t> socket_rule(int fd) const;

  // Tags every IPv4/IPv6 socket process `pid` holds (via pidfd_getfd), so
  // sockets opened before the rule existed follow it. Returns how many were
  // tagged; fails when the process cannot be opened.
  Result<size_t> tag_process_sockets(pid_t pid, uint32_t rule_id);

  // Puts the process-event filter on the proc connector socket `fd`: of the
  // machine's events only exec/comm/uid and forks of processes in the pid
  // map reach it (replacing any filter it had). Fails with the kernel's reason.
  Result<void> filter_process_events(int fd);

  // What the tc programs counted for `rule_id`.
  RuleTraffic rule_traffic(uint32_t rule_id) const;

  // The per-process accounting map (see kernel/process_traffic_map.h).
  int process_traffic_fd() const;

 private:
  struct SkeletonDeleter {
    void operator()(classifier_bpf* skeleton) const;
  };
  struct LinkDeleter {
    void operator()(bpf_link* link) const;
  };
  struct TcAttachment {
    int netns_fd = -1;  // the namespace the filter lives in
    int ifindex = 0;
    TcDirection direction = TcDirection::egress;
    bool created_clsact = false;
  };

  explicit BpfClassifier(classifier_bpf* skeleton);
  Result<void> attach_program(int ifindex, TcDirection direction, bpf_program* program);
  Result<void> detach(const TcAttachment& attachment);
  Result<void> update_map(int map_fd, const void* key, const void* value, const std::string& what);
  StreamMapFds stream_maps() const;

  std::unique_ptr<classifier_bpf, SkeletonDeleter> skeleton_;
  std::vector<std::unique_ptr<bpf_link, LinkDeleter>> cgroup_links_;
  std::vector<TcAttachment> tc_attachments_;
};

// The id the kernel gives cgroup v2 directory `path` (what
// bpf_get_current_cgroup_id returns for its tasks).
Result<uint64_t> cgroup_v2_id(const std::string& path);

}  // namespace nettoll
