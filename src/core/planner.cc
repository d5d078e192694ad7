// SPDX-License-Identifier: Apache-2.0
#include "core/planner.h"

#include <fmt/format.h>

#include <algorithm>
#include <tuple>

#include "core/process_match.h"
#include "core/tbf_params.h"

namespace nettoll {
namespace {

constexpr uint32_t kLinkHeaderBytes = 14;
constexpr uint32_t kMaxQuantum = 200'000;  // HTB warns above this
constexpr uint32_t kFqCodelLimitPackets = 1024;
constexpr Duration kFqCodelTarget = std::chrono::milliseconds(5);
constexpr Duration kFqCodelInterval = std::chrono::milliseconds(100);
constexpr size_t kIfNameMax = 15;  // IFNAMSIZ - 1
constexpr uint32_t kMinFifoFrames = 16;
constexpr Duration kPriorityWait = std::chrono::milliseconds(1);
// How much a bulk class squeezed by streams may catch up (see give_way_to_streams).
constexpr Duration kBulkCatchUp = std::chrono::milliseconds(100);

enum class Direction { upload, download };

const char* direction_name(Direction direction) {
  return direction == Direction::upload ? "upload" : "download";
}

const DirectionSettings& settings_of(const Config& config, Direction direction) {
  return direction == Direction::upload ? config.upload : config.download;
}

const DirectionSettings& settings_of(const ProcessRule& rule, Direction direction) {
  return direction == Direction::upload ? rule.upload : rule.download;
}

// Priority for settings without one. TrafficToll's rule: with no priority set
// anywhere all traffic shares priority 0; once any process sets one, the rest
// (unset processes and unclassified traffic) go one below the lowest set, so a
// single prioritized process really is served first. A global
// `*-priority` overrides that default for its direction.
int unset_priority(const Config& config, Direction direction) {
  if (auto global = settings_of(config, direction).priority) return *global;
  int lowest_set = -1;
  for (const ProcessRule& rule : config.processes) {
    if (rule.download.priority) lowest_set = std::max(lowest_set, *rule.download.priority);
    if (rule.upload.priority) lowest_set = std::max(lowest_set, *rule.upload.priority);
  }
  return std::min(lowest_set + 1, kLowestPriority);
}

uint32_t frame_bytes(uint32_t mtu) { return mtu + kLinkHeaderBytes; }

// DRR quantum proportional to the guaranteed rate (HTB's r2q of 10), kept
// between one frame (or a class could never send a full packet in one round)
// and HTB's upper bound.
uint32_t quantum_for(Rate rate, uint32_t mtu) {
  const uint64_t proportional = rate.bytes_per_second() / 10;
  return static_cast<uint32_t>(std::clamp<uint64_t>(proportional, frame_bytes(mtu), kMaxQuantum));
}

// Bytes a class may send back-to-back: one timer tick's worth at `rate` plus a
// frame, the way tc sizes HTB bursts, but with the kernel's real HZ.
uint32_t burst_for(Rate rate, uint32_t mtu, int hz) {
  const uint64_t per_tick = rate.bytes_per_second() / static_cast<uint64_t>(std::max(hz, 1));
  return static_cast<uint32_t>(std::min<uint64_t>(per_tick + frame_bytes(mtu), UINT32_MAX));
}

LeafQueue leaf_for(Handle class_id, Rate ceil, const Config& config, const ManagedInterface& link,
                   const KernelCapabilities& kernel) {
  LeafQueue leaf;
  leaf.handle = Handle{static_cast<uint16_t>(kLeafMajorBase + class_id.minor), 0};
  if (kernel.has_fq_codel) {
    leaf.kind = LeafQueueKind::fq_codel;
    leaf.limit_packets = kFqCodelLimitPackets;
    leaf.target = kFqCodelTarget;
    leaf.interval = kFqCodelInterval;
    return leaf;
  }
  // A full fifo drains in at most `latency` at the class's ceil. Slow
  // classes keep room for kMinFifoFrames: with fewer, a TCP sender's window
  // is too small for fast retransmit, every loss waits for a timeout, and
  // the class runs well below its rate (measured at 1 Mbit/s: 0.67 of the
  // rate with 4 frames, 0.94 with 10, within 1% with 16).
  const uint64_t bytes = ceil.bytes_per_second() * static_cast<uint64_t>(config.latency.count()) / 1'000'000;
  leaf.kind = LeafQueueKind::bfifo;
  leaf.limit_bytes = static_cast<uint32_t>(
      std::clamp<uint64_t>(bytes, uint64_t{kMinFifoFrames} * frame_bytes(link.mtu), UINT32_MAX));
  return leaf;
}

HtbClass make_class(Handle id, Handle parent, std::string rule, Rate rate, Rate ceil, int prio) {
  HtbClass htb_class;
  htb_class.id = id;
  htb_class.parent = parent;
  htb_class.rule = std::move(rule);
  htb_class.rate = rate;
  htb_class.ceil = ceil;
  htb_class.prio = prio;
  return htb_class;
}

// The guaranteed rates of the children must fit under the parent's rate, or
// HTB cannot honour them: scale them all down by the same factor.
void fit_minimums(std::vector<HtbClass>& children, Rate parent, Direction direction, bool with_streams,
                  std::vector<std::string>& notes) {
  Rate sum;
  for (const HtbClass& child : children) sum = sum + child.rate;
  if (sum <= parent) return;
  const double factor =
      static_cast<double>(parent.bits_per_second()) / static_cast<double>(sum.bits_per_second());
  for (HtbClass& child : children) {
    child.rate = std::max(scale_rate(child.rate, factor), Rate::bits_per_second(8));
  }
  notes.push_back(fmt::format("{} minimums{} add up to {}, more than the {} limit {}: scaled each by {:.3f}",
                              direction_name(direction), with_streams ? " and reserved streams" : "",
                              format_rate(sum), direction_name(direction), format_rate(parent), factor));
}

void finish_class(HtbClass& htb_class, bool leaf, const Config& config, const ManagedInterface& link,
                  const KernelCapabilities& kernel) {
  htb_class.quantum = quantum_for(htb_class.rate, link.mtu);
  htb_class.burst = burst_for(htb_class.rate, link.mtu, kernel.hz);
  htb_class.cburst = burst_for(htb_class.ceil, link.mtu, kernel.hz);
  if (leaf) htb_class.leaf = leaf_for(htb_class.id, htb_class.ceil, config, link, kernel);
}

Rate reserved_of(const ViewerClass& viewer, Direction direction) {
  return direction == Direction::upload ? viewer.upload : viewer.download;
}

// One class per viewer reserving something this way, after the rules'.
void add_stream_classes(const Config& config, Direction direction, const std::vector<ViewerClass>& viewers,
                        Rate parent, std::vector<HtbClass>& children) {
  const int prio = config.reservations ? config.reservations->reservation_priority : kHighestPriority;
  for (const ViewerClass& viewer : viewers) {
    const Rate reserved = reserved_of(viewer, direction);
    if (reserved.is_zero()) continue;
    children.push_back(make_class(Handle{kHtbMajor, viewer.minor}, Handle{kHtbMajor, kRootClassMinor},
                                  "stream " + format_cidr(viewer.remote), std::min(reserved, parent), parent,
                                  prio));
  }
}

// `bulk: true` classes may borrow only what the streams leave: the global
// limit less the (fitted) reserved rates, never below their own rate.
// A stream is bursty (a media server sends segments, TCP writes whole
// buffers) and may borrow above its reservation, taking the link from bulk
// for tens of milliseconds; with a ceil burst of one timer tick bulk cannot
// make that up afterwards, and ran at 8 of its 12 Mbit/s ceil with the link
// at 16 of 20 (stream_classes_test). A ceil burst of kBulkCatchUp at the
// ceil lets it: 11.7 of 12, the link full. The stream loses nothing: under
// its rate it is sent before any class that borrows.
// Returns the indices of the classes it lowered.
std::vector<size_t> give_way_to_streams(const Config& config, std::vector<HtbClass>& children,
                                        size_t first_stream, Rate parent, Direction direction,
                                        std::vector<std::string>& notes) {
  std::vector<size_t> lowered;
  Rate reserved;
  for (size_t i = first_stream; i < children.size(); ++i) reserved = reserved + children[i].rate;
  if (reserved.is_zero()) return lowered;
  for (size_t i = 0; i < config.processes.size(); ++i) {
    if (!config.processes[i].bulk) continue;
    HtbClass& bulk = children[1 + i];  // after the default class, in config order
    const Rate ceil = std::max(std::min(bulk.ceil, parent - reserved), bulk.rate);
    if (ceil == bulk.ceil) continue;
    lowered.push_back(1 + i);
    notes.push_back(fmt::format("{} of bulk rule {}: ceil {} while streams reserve {}",
                                direction_name(direction), bulk.rule, format_rate(ceil),
                                format_rate(reserved)));
    bulk.ceil = ceil;
  }
  return lowered;
}

// A squeezed bulk class's ceil burst: kBulkCatchUp at its ceil (see above).
void let_catch_up(HtbClass& bulk) {
  const uint64_t bytes = bulk.ceil.bytes_per_second() * static_cast<uint64_t>(kBulkCatchUp.count()) /
                         static_cast<uint64_t>(Duration(std::chrono::seconds(1)).count());
  bulk.cburst = static_cast<uint32_t>(std::clamp<uint64_t>(bytes, bulk.cburst, UINT32_MAX));
}

HtbTree plan_tree(const Config& config, Direction direction, const std::string& device,
                  const ManagedInterface& link, const KernelCapabilities& kernel,
                  const std::vector<ViewerClass>& viewers, std::vector<std::string>& notes) {
  const DirectionSettings& global = settings_of(config, direction);
  const bool upload = direction == Direction::upload;
  const Rate parent = global.limit.value_or(kUnlimitedRate);
  const int default_prio = unset_priority(config, direction);

  HtbTree tree;
  tree.device = device;
  tree.qdisc = Handle{kHtbMajor, 0};
  tree.default_minor = kDefaultClassMinor;

  std::vector<HtbClass> children;
  const Rate default_minimum =
      global.minimum.value_or(upload ? kDefaultGlobalUploadMinimum : kDefaultGlobalDownloadMinimum);
  children.push_back(make_class(Handle{kHtbMajor, kDefaultClassMinor}, Handle{kHtbMajor, kRootClassMinor},
                                "default", std::min(default_minimum, parent), parent, default_prio));
  for (size_t i = 0; i < config.processes.size(); ++i) {
    const ProcessRule& rule = config.processes[i];
    const DirectionSettings& own = settings_of(rule, direction);
    const Rate ceil = std::min(own.limit.value_or(parent), parent);
    const Rate minimum =
        own.minimum.value_or(upload ? kDefaultProcessUploadMinimum : kDefaultProcessDownloadMinimum);
    const auto minor = static_cast<uint16_t>(kFirstRuleClassMinor + i);
    children.push_back(make_class(Handle{kHtbMajor, minor}, Handle{kHtbMajor, kRootClassMinor}, rule.name,
                                  std::min(minimum, ceil), ceil, own.priority.value_or(default_prio)));
  }
  const size_t first_stream = children.size();
  add_stream_classes(config, direction, viewers, parent, children);
  fit_minimums(children, parent, direction, children.size() > first_stream, notes);
  const std::vector<size_t> squeezed =
      give_way_to_streams(config, children, first_stream, parent, direction, notes);

  HtbClass root = make_class(Handle{kHtbMajor, kRootClassMinor}, tree.qdisc, "global", parent, parent, 0);
  finish_class(root, false, config, link, kernel);
  tree.classes.push_back(root);
  for (HtbClass& child : children) finish_class(child, true, config, link, kernel);
  for (size_t index : squeezed) let_catch_up(children[index]);
  for (HtbClass& child : children) tree.classes.push_back(std::move(child));
  return tree;
}

const InterfaceLimit* limit_of(const Config& config, const std::string& name) {
  if (name.empty()) return nullptr;
  for (const InterfaceLimit& limit : config.interfaces) {
    if (limit.name == name) return &limit;
  }
  return nullptr;
}

// The managed interface's own `interfaces:` limit caps its tree's root class
// in each direction that has a tree, instead of a second qdisc.
Config with_managed_limit(const Config& config, const std::string& interface) {
  Config effective = config;
  const InterfaceLimit* own = limit_of(config, interface);
  if (!own) return effective;
  const bool has_rules = !config.processes.empty();
  for (auto [wanted, settings] : {std::pair{own->limits_egress(), &effective.upload},
                                  std::pair{own->limits_ingress(), &effective.download}}) {
    if (wanted && (settings->limit || has_rules))
      settings->limit = std::min(settings->limit.value_or(own->rate), own->rate);
  }
  return effective;
}

TbfPlan plan_one_tbf(const InterfaceLimit& limit, TbfDirection direction, const ListedDevice& device,
                     const KernelCapabilities& kernel) {
  TbfInput input;
  input.rate = limit.rate;
  input.latency = limit.latency;
  input.mtu = limit.mtu.value_or(device.mtu);
  input.link_header_bytes = device.link_header_bytes;
  input.hz = kernel.hz;
  input.hz_assumed = kernel.hz_assumed;
  input.burst = limit.burst_bytes;
  input.direction = direction;
  TbfPlan tbf = plan_tbf(limit.name, input);
  if (direction == TbfDirection::ingress) tbf.ifb = tbf_ifb_name_for(limit.name);
  return tbf;
}

void plan_interface_limits(const Config& config, const ManagedInterface& link,
                           const KernelCapabilities& kernel, const ListedDevices& devices, Plan& plan) {
  for (const InterfaceLimit& limit : config.interfaces) {
    const bool managed = !link.name.empty() && limit.name == link.name;
    ListedDevice device;
    if (auto it = devices.find(limit.name); it != devices.end()) {
      device = it->second;
    } else if (managed) {
      device.mtu = link.mtu;
    } else {
      plan.notes.push_back(
          fmt::format("interfaces: {} is not present: planned with MTU {} and an Ethernet "
                      "header; applied with its real ones when it appears",
                      limit.name, limit.mtu.value_or(device.mtu)));
    }
    for (auto [wanted, direction, tree] :
         {std::tuple{limit.limits_egress(), TbfDirection::egress, &plan.egress},
          std::tuple{limit.limits_ingress(), TbfDirection::ingress, &plan.ingress}}) {
      if (!wanted) continue;
      if (managed && *tree) {
        plan.notes.push_back(fmt::format(
            "interfaces: {} is the managed interface: its {} {} limit is the parent class {} of its HTB tree "
            "instead of a second qdisc",
            limit.name, format_rate(limit.rate), direction == TbfDirection::egress ? "egress" : "ingress",
            format_handle(Handle{kHtbMajor, kRootClassMinor})));
        continue;
      }
      plan.tbfs.push_back(plan_one_tbf(limit, direction, device, kernel));
    }
  }
}

std::vector<LeafQueue*> bfifo_leaves(Plan& plan) {
  std::vector<LeafQueue*> leaves;
  for (std::optional<HtbTree>* tree : {&plan.egress, &plan.ingress}) {
    if (!*tree) continue;
    for (HtbClass& c : (*tree)->classes) {
      if (c.leaf && c.leaf->kind == LeafQueueKind::bfifo) leaves.push_back(&*c.leaf);
    }
  }
  return leaves;
}

// A byte fifo must hold two of the largest packets the stack hands it (GSO
// and GRO aggregates, 64 KiB by default), or a local TCP sender loses whole
// aggregates and stalls far below its rate. Rather than growing every fifo
// past its latency budget, cap the interface's GSO/GRO size to half the
// smallest fifo, the way SQM turns off offloads for slow links.
// HTB sends an aggregate whole, so a priority packet can wait behind one:
// keep that wait to about a millisecond at the shaped rate (never below 2
// frames, TCP's smallest aggregate). Measured at 20 Mbit/s with 4 bulk
// streams: 25000-byte aggregates added 1.3 ms on average (p99 7 ms) to a
// prio-0 ping, 2 frames 0.23 ms.
uint64_t aggregate_for_priority(const Plan& plan, const ManagedInterface& link) {
  Rate slowest = kUnlimitedRate;
  for (const std::optional<HtbTree>* tree : {&plan.egress, &plan.ingress}) {
    if (*tree) slowest = std::min(slowest, (*tree)->classes.front().ceil);
  }
  return std::max<uint64_t>(slowest.bytes_per_second() * kPriorityWait.count() / 1'000'000,
                            2ULL * frame_bytes(link.mtu));
}

void fit_gso_to_fifos(const Config& config, const ManagedInterface& link, Plan& plan) {
  std::vector<LeafQueue*> leaves = bfifo_leaves(plan);
  if (leaves.empty()) return;
  uint32_t smallest = UINT32_MAX;
  for (const LeafQueue* leaf : leaves) smallest = std::min(smallest, leaf->limit_bytes);
  const auto cap = static_cast<uint32_t>(
      std::min<uint64_t>({smallest / 2, aggregate_for_priority(plan, link), link.gso_max_size}));
  if (cap < link.gso_max_size) plan.gso_max_size = cap;
  plan.notes.push_back(fmt::format(
      "the kernel has no fq_codel: leaf queues are byte fifos holding {} at each class's ceil{}",
      format_duration(config.latency),
      cap < link.gso_max_size
          ? fmt::format("; {}'s GSO/GRO size is lowered from {} to {} bytes while shaping so two packets fit "
                        "the smallest fifo and a priority packet waits at most about 1 ms behind one",
                        link.name, link.gso_max_size, cap)
          : ""));
}

Handle class_in(const std::optional<HtbTree>& tree, uint16_t minor) {
  if (!tree) return Handle{};
  for (const HtbClass& c : tree->classes) {
    if (c.id.minor == minor) return c.id;
  }
  return Handle{};
}

void plan_stream_classifier(const std::vector<ViewerClass>& viewers, Plan& plan) {
  for (const ViewerClass& viewer : viewers) {
    StreamClassifierEntry entry{viewer.remote, viewer.streams, class_in(plan.egress, viewer.minor),
                                class_in(plan.ingress, viewer.minor)};
    if (entry.egress_class.packed() || entry.ingress_class.packed()) plan.streams.push_back(std::move(entry));
  }
  if (viewers.empty()) return;
  for (const auto& [tree, direction] :
       {std::pair{&plan.egress, "upload"}, std::pair{&plan.ingress, "download"}}) {
    if (!*tree) {
      plan.notes.push_back(fmt::format(
          "reserved streams get no {} class: there is no {} limit or process rule", direction, direction));
    }
  }
}

}  // namespace

std::string ifb_name_for(const std::string& interface) { return ("ntb-" + interface).substr(0, kIfNameMax); }

std::string tbf_ifb_name_for(const std::string& interface) {
  return ("ntl-" + interface).substr(0, kIfNameMax);
}

Plan make_plan(const Config& config, const ManagedInterface& link, const KernelCapabilities& kernel,
               const ListedDevices& devices, const std::vector<ReservedStream>& streams,
               const StreamSlots& previous_slots) {
  const Config effective = with_managed_limit(config, link.name);
  Plan plan;
  const std::vector<ViewerClass> viewers = assign_stream_classes(streams, previous_slots, plan.notes);
  plan.interface = link.name;
  plan.mtu = link.mtu;
  const bool has_rules = !effective.processes.empty() && !link.name.empty();
  if (!link.name.empty() && (effective.upload.limit || has_rules)) {
    plan.egress = plan_tree(effective, Direction::upload, link.name, link, kernel, viewers, plan.notes);
  }
  if (!link.name.empty() && (effective.download.limit || has_rules)) {
    plan.ifb = ifb_name_for(link.name);
    plan.ingress = plan_tree(effective, Direction::download, plan.ifb, link, kernel, viewers, plan.notes);
  }
  if (has_rules) {
    plan.container_mark = config.container_mark;
    plan.container_links = config.container_links;
    for (size_t i = 0; i < effective.processes.size(); ++i) {
      const auto minor = static_cast<uint16_t>(kFirstRuleClassMinor + i);
      plan.classifier.push_back(ClassifierEntry{static_cast<uint32_t>(i + 1), effective.processes[i].name,
                                                Handle{kHtbMajor, minor}, Handle{kHtbMajor, minor},
                                                describe_selection(effective.processes[i]),
                                                effective.processes[i].blocked});
    }
  }
  plan_stream_classifier(viewers, plan);
  plan_interface_limits(effective, link, kernel, devices, plan);
  if (!plan.tbfs.empty() && kernel.hz_assumed) {
    plan.notes.push_back(
        fmt::format("no kernel config readable (/proc/config.gz, /boot/config-RELEASE): HZ {} "
                    "assumed for the tbf bursts",
                    kernel.hz));
  }
  const bool shapes = plan.egress || plan.ingress || !plan.tbfs.empty();
  // A link quota counts the interface's traffic even while nothing is shaped.
  plan.accounting = !link.name.empty() && (shapes || config.accounting || effective.quota);
  if (!shapes && plan.accounting && effective.quota) {
    plan.notes.push_back(
        "the link quota counts traffic with the classifier's programs; nothing is shaped "
        "until it is used up");
  } else if (!shapes && plan.accounting) {
    plan.notes.push_back("no limits or rules configured: accounting only (counting programs on " + link.name +
                         ", no qdisc of nettoll's; no packet is dropped or delayed)");
  } else if (!shapes) {
    plan.notes.push_back("no limits or rules configured: nothing is changed in the kernel");
  }
  if (!kernel.has_fq_codel && !link.name.empty()) fit_gso_to_fifos(effective, link, plan);
  return plan;
}

}  // namespace nettoll
