// SPDX-License-Identifier: Apache-2.0
// Plan: the kernel objects a config asks for, as plain comparable values.
// Produced by the planner (no syscalls), printed by `nettoll plan`, applied by
// the reconciler.
#pragma once

#include <compare>
#include <cstdint>
#include <optional>
#include <string>
#include <vector>

#include "core/cidr.h"
#include "core/container_link_scope.h"
#include "core/duration.h"
#include "core/rate.h"

namespace nettoll {

// A tc handle major:minor, printed in hex as tc does ("7a:10").
struct Handle {
  uint16_t major = 0;
  uint16_t minor = 0;
  uint32_t packed() const { return (static_cast<uint32_t>(major) << 16) | minor; }
  auto operator<=>(const Handle&) const = default;
};
std::string format_handle(Handle handle);

// nettoll owns these handles: the HTB qdisc's major and the leaf qdiscs'
// majors (kLeafMajorBase + class minor). A root qdisc with kHtbMajor found on
// an interface is nettoll's leftover and may be replaced.
inline constexpr uint16_t kHtbMajor = 0x7a;
inline constexpr uint16_t kLeafMajorBase = 0x8000;
inline constexpr uint16_t kRootClassMinor = 0x1;
inline constexpr uint16_t kDefaultClassMinor = 0x2;
inline constexpr uint16_t kFirstRuleClassMinor = 0x10;
// Reserved streams' classes sit above the rules' range, one minor per viewer
// address (0x7fff would give its leaf the major 0xffff, which tc reserves).
inline constexpr uint16_t kFirstStreamClassMinor = 0x7000;
inline constexpr uint16_t kLastStreamClassMinor = 0x7ffe;
inline constexpr size_t kMaxProcessRules = kFirstStreamClassMinor - kFirstRuleClassMinor;

enum class LeafQueueKind { fq_codel, bfifo };

struct LeafQueue {
  LeafQueueKind kind = LeafQueueKind::bfifo;
  Handle handle;               // major = kLeafMajorBase + class minor, minor 0
  uint32_t limit_bytes = 0;    // bfifo: at most `latency` at the class ceil
  uint32_t limit_packets = 0;  // fq_codel: packet limit
  Duration target{};           // fq_codel: target sojourn time
  Duration interval{};         // fq_codel: interval
  bool operator==(const LeafQueue&) const = default;
};

struct HtbClass {
  Handle id;
  Handle parent;                  // the qdisc (major:0) for the root class
  std::string rule;               // "global", "default" or the process rule's name
  Rate rate;                      // guaranteed (HTB rate)
  Rate ceil;                      // may borrow up to (HTB ceil)
  int prio = 0;                   // 0 served first
  uint32_t quantum = 0;           // bytes per DRR round among classes of one prio
  uint32_t burst = 0;             // bytes sent at ceil speed... at `rate` without waiting
  uint32_t cburst = 0;            // same for `ceil`
  std::optional<LeafQueue> leaf;  // leaf classes only
  bool operator==(const HtbClass&) const = default;
};

// One direction's HTB: a qdisc on `device`, its root class carrying the
// global limit, the default class and one class per process rule.
struct HtbTree {
  std::string device;
  Handle qdisc;  // kHtbMajor:0
  uint16_t default_minor = kDefaultClassMinor;
  std::vector<HtbClass> classes;  // root first, then default, then rules in config order
  bool operator==(const HtbTree&) const = default;
};

// What the classifier needs: rule id (1-based, 0 = no rule) → class per direction.
struct ClassifierEntry {
  uint32_t rule_id = 0;
  std::string rule;
  Handle egress_class;
  Handle ingress_class;
  std::string selects;   // which processes, as describe_selection says
  bool blocked = false;  // drop the rule's packets (a quota's `then: block`; eBPF path only)
  bool operator==(const ClassifierEntry&) const = default;
};

// What the classifier needs for a reserved stream: packets to the viewer's
// address (egress) and from it (ingress) go to its classes, whatever socket
// they belong to. Handle {0, 0}: no class that way (no tree, or nothing
// reserved in that direction).
struct StreamClassifierEntry {
  Cidr remote;          // a /32 or /128
  std::string streams;  // the reservation ids it carries, comma-separated
  Handle egress_class;
  Handle ingress_class;
  bool operator==(const StreamClassifierEntry&) const = default;
};

enum class TbfDirection { egress, ingress };

// A root TBF for an `interfaces:` entry, with how its numbers were derived.
// Egress: at the root of `device`. Ingress: at the root of `ifb`, an IFB of
// its own fed from `device`'s ingress.
struct TbfPlan {
  std::string device;
  TbfDirection direction = TbfDirection::egress;
  std::string ifb;  // ingress only
  Rate rate;
  uint32_t burst_bytes = 0;
  uint32_t limit_bytes = 0;
  uint32_t mtu = 0;
  uint32_t frame_bytes = 0;     // MTU + link-layer header
  uint32_t per_tick_bytes = 0;  // ceil(rate / HZ)
  Duration latency{};
  std::vector<std::string> explanation;
  bool operator==(const TbfPlan&) const = default;
  // The device the tbf qdisc sits on.
  const std::string& qdisc_device() const { return direction == TbfDirection::ingress ? ifb : device; }
};

struct Plan {
  std::string interface;  // the managed interface ("" when nothing is shaped)
  uint32_t mtu = 0;
  std::string ifb;  // the IFB device carrying the interface's ingress
  std::optional<HtbTree> egress;
  std::optional<HtbTree> ingress;
  std::vector<ClassifierEntry> classifier;
  std::vector<StreamClassifierEntry> streams;  // by class minor
  std::vector<TbfPlan> tbfs;
  // The eBPF programs count every packet on `interface` (while nettoll
  // shapes, with `accounting: true`, or for a link quota); counting never
  // drops or delays one.
  bool accounting = false;
  // The interface's GSO and GRO size while shaping; 0 = leave it as it is.
  uint32_t gso_max_size = 0;
  // The skb->mark bits carrying container processes' rules (config
  // container-mark); 0: containers are not classified.
  uint32_t container_mark = 0;
  ContainerLinkScope container_links = ContainerLinkScope::every_veth;  // config container-links
  std::vector<std::string> notes;  // decisions the user should know about
  bool operator==(const Plan&) const = default;
};

}  // namespace nettoll
