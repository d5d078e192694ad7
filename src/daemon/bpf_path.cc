// SPDX-License-Identifier: Apache-2.0
#include "daemon/bpf_path.h"

#include <spdlog/spdlog.h>

#include <algorithm>
#include <fstream>
#include <sstream>

#include "kernel/links.h"

namespace nettoll {

std::string cgroup_v2_root() {
  std::ifstream mounts("/proc/self/mounts");
  std::string line;
  while (std::getline(mounts, line)) {
    std::istringstream fields(line);
    std::string device, path, type;
    fields >> device >> path >> type;
    if (type == "cgroup2") return path;
  }
  return "";
}

Result<std::unique_ptr<BpfPath>> BpfPath::load(const std::string& cgroup_path) {
  const std::string cgroup = cgroup_path.empty() ? cgroup_v2_root() : cgroup_path;
  if (cgroup.empty()) return Error{"no cgroup v2 hierarchy is mounted"};
  auto bpf = BpfClassifier::load();
  if (!bpf) return Error{bpf.error()};
  if (auto attached = bpf->attach_cgroup(cgroup); !attached) return Error{attached.error()};
  spdlog::info("per-process classification: eBPF, for sockets created in {}", cgroup);
  return std::unique_ptr<BpfPath>(new BpfPath(std::move(*bpf)));
}

Result<void> BpfPath::attach(const Plan& plan, NetlinkSocket& socket) {
  for (const ClassifierEntry& entry : plan.classifier) {
    if (auto set = bpf_.set_rule_classes(entry.rule_id, entry.egress_class.packed(),
                                         entry.ingress_class.packed(), entry.blocked);
        !set) {
      return set;
    }
  }
  if (auto set = set_streams(plan.streams); !set) return set;
  return attach_to_interface(plan, socket);
}

namespace {

bool has_viewer(const std::vector<StreamClassifierEntry>& streams, const Cidr& remote) {
  return std::any_of(streams.begin(), streams.end(),
                     [&](const StreamClassifierEntry& entry) { return entry.remote == remote; });
}

}  // namespace

void BpfPath::erase_streams_not_in(const std::vector<StreamClassifierEntry>& kept) {
  std::erase_if(streams_, [&](const StreamClassifierEntry& entry) {
    if (has_viewer(kept, entry.remote)) return false;
    bpf_.erase_stream(entry.remote);
    return true;
  });
}

Result<void> BpfPath::release_streams(const Plan& next, NetlinkSocket& /*socket*/) {
  erase_streams_not_in(next.streams);
  // The shaper is about to delete the IFB: stop redirecting to it first.
  if (next.ifb.empty() && ifb_ifindex_ != 0) {
    if (auto set = bpf_.set_ifb(0); !set) return set;
    ifb_ifindex_ = 0;
  }
  return success();
}

// Viewers that left first, then new and changed entries: a viewer's packets
// never point at a class the plan does not have.
Result<void> BpfPath::set_streams(const std::vector<StreamClassifierEntry>& streams) {
  erase_streams_not_in(streams);
  for (const StreamClassifierEntry& entry : streams) {
    if (std::find(streams_.begin(), streams_.end(), entry) != streams_.end()) continue;
    if (auto set =
            bpf_.set_stream_classes(entry.remote, entry.egress_class.packed(), entry.ingress_class.packed());
        !set) {
      return set;
    }
    std::erase_if(streams_, [&](const StreamClassifierEntry& old) { return old.remote == entry.remote; });
    streams_.push_back(entry);
  }
  return success();
}

// Devices by identity, not name, like the fallback: an interface deleted
// and re-created under its name (within the daemon's settle delay) is a new
// device without the programs, and a re-created IFB has a new ifindex that
// the ingress program must redirect to.
Result<void> BpfPath::attach_to_interface(const Plan& plan, NetlinkSocket& socket) {
  if (plan.classifier.empty() && plan.streams.empty() && !plan.accounting) {
    detach_from_interface();
    return success();
  }
  auto link = find_link(socket, plan.interface);
  if (!link) return Error{link.error()};
  // No download tree, no IFB: the ingress program counts and lets the packet go on.
  int ifb_ifindex = 0;
  if (!plan.ifb.empty()) {
    auto ifb = find_link(socket, plan.ifb);
    if (!ifb) return Error{ifb.error()};
    ifb_ifindex = ifb->ifindex;
  }
  if (ifb_ifindex != ifb_ifindex_) {
    if (auto set = bpf_.set_ifb(ifb_ifindex); !set) return set;
    ifb_ifindex_ = ifb_ifindex;
  }
  if (plan.interface != attached_interface_ || link->ifindex != attached_ifindex_) {
    detach_from_interface();
    for (TcDirection direction : {TcDirection::egress, TcDirection::ingress}) {
      if (auto attached = bpf_.attach_tc(link->ifindex, direction); !attached) return attached;
    }
    attached_interface_ = plan.interface;
    attached_ifindex_ = link->ifindex;
    spdlog::info("eBPF programs on {}: per-process accounting{}", plan.interface,
                 plan.classifier.empty() && plan.streams.empty() ? "" : " and classification");
  }
  // Every link event brings the daemon here: containers come and go.
  return containers_.sync(bpf_, socket, plan.container_mark, plan.container_links, link->ifindex,
                          ifb_ifindex);
}

void BpfPath::detach_from_interface() {
  containers_.clear(bpf_);
  if (attached_interface_.empty()) return;
  // The interface may be gone; detaching what is not there is no error.
  (void)bpf_.detach_tc(attached_ifindex_, TcDirection::egress);
  (void)bpf_.detach_tc(attached_ifindex_, TcDirection::ingress);
  attached_interface_.clear();
  attached_ifindex_ = 0;
}

bool BpfPath::filter_process_events(int fd) {
  auto filtered = bpf_.filter_process_events(fd);
  if (!filtered) spdlog::debug("{}", filtered.error());
  return bool(filtered);
}

void BpfPath::set_process_rule(pid_t pid, ProcessRuleId rule) {
  if (rule == 0) {
    bpf_.erase_pid(pid);
    return;
  }
  if (auto set = bpf_.set_pid_rule(pid, rule); !set) {
    spdlog::warn("{}", set.error());
    return;
  }
  // Sockets opened before this decision (before nettoll started, or between
  // exec and its event) follow the process's rule too.
  if (auto tagged = bpf_.tag_process_sockets(pid, rule); !tagged) {
    spdlog::debug("process {}: {}", pid, tagged.error());
  }
}

}  // namespace nettoll

namespace nettoll {

std::optional<std::chrono::milliseconds> BpfPath::refresh_interval() const {
  if (containers_.empty()) return std::nullopt;
  return std::chrono::duration_cast<std::chrono::milliseconds>(ContainerLinks::kExpiryInterval);
}

void BpfPath::refresh(NetlinkSocket& /*socket*/) { containers_.expire_flows(bpf_); }

nlohmann::json BpfPath::container_links() const { return containers_.status(bpf_); }

}  // namespace nettoll
