// SPDX-License-Identifier: Apache-2.0
// An in-memory kernel for reconciler tests: applies KernelChanges to an
// ObservedKernel the way the real adapters change the real kernel.
#pragma once

#include <algorithm>

#include "core/kernel_change.h"
#include "core/kernel_state.h"

namespace nettoll::testing {

class FakeKernel {
 public:
  ObservedKernel state;

  void add_device(const std::string& name, const std::string& default_root = "noqueue") {
    ObservedDevice& device = state.devices[name];
    device.exists = true;
    device.qdiscs = {ObservedQdisc{.kind = default_root, .root = true}};
  }

  void apply(const std::vector<KernelChange>& changes) {
    for (const KernelChange& change : changes) std::visit([this](const auto& c) { apply_one(c); }, change);
  }

 private:
  ObservedDevice& device(const std::string& name) { return state.devices.at(name); }

  void apply_one(const CreateIfb& c) { add_device(c.name, "noqueue"); }
  void apply_one(const DeleteIfb& c) { state.devices.erase(c.name); }
  void apply_one(const ReplaceRootHtb& c) {
    ObservedDevice& d = device(c.device);
    d.classes.clear();
    std::erase_if(d.qdiscs, [](const ObservedQdisc& q) { return q.kind != "clsact"; });
    d.qdiscs.push_back(
        ObservedQdisc{.kind = "htb", .handle = c.handle, .root = true, .htb_default = c.default_minor});
  }
  void apply_one(const DeleteRootQdisc& c) {
    ObservedDevice& d = device(c.device);
    d.classes.clear();
    std::erase_if(d.qdiscs, [](const ObservedQdisc& q) { return q.kind != "clsact"; });
    d.qdiscs.push_back(ObservedQdisc{.kind = "noqueue", .root = true});
  }
  static ObservedClass observed(const HtbClass& c) {
    return ObservedClass{c.id, c.parent, c.rate, c.ceil, c.prio, c.quantum, c.burst, c.cburst};
  }
  void apply_one(const AddClass& c) { device(c.device).classes.push_back(observed(c.htb_class)); }
  void apply_one(const ChangeClass& c) {
    for (ObservedClass& existing : device(c.device).classes) {
      if (existing.id == c.htb_class.id) existing = observed(c.htb_class);
    }
  }
  void apply_one(const DeleteClass& c) {
    ObservedDevice& d = device(c.device);
    std::erase_if(d.classes, [&](const ObservedClass& x) { return x.id == c.id; });
    std::erase_if(d.qdiscs, [&](const ObservedQdisc& q) { return !q.root && q.parent == c.id; });
  }
  void apply_one(const ReplaceLeaf& c) {
    ObservedDevice& d = device(c.device);
    std::erase_if(d.qdiscs, [&](const ObservedQdisc& q) { return !q.root && q.parent == c.parent; });
    ObservedQdisc leaf{.kind = c.leaf.kind == LeafQueueKind::bfifo ? "bfifo" : "fq_codel",
                       .handle = c.leaf.handle,
                       .parent = c.parent};
    leaf.limit_bytes = c.leaf.limit_bytes;
    leaf.limit_packets = c.leaf.limit_packets;
    d.qdiscs.push_back(leaf);
  }
  void apply_one(const AddIngressRedirect& c) {
    ObservedDevice& d = device(c.device);
    d.has_clsact = true;
    d.has_ingress_redirect = true;
  }
  void apply_one(const RemoveIngressRedirect& c) {
    ObservedDevice& d = device(c.device);
    d.has_ingress_redirect = false;
    if (c.delete_clsact) d.has_clsact = false;
  }
  void apply_one(const SetGsoLimit& c) {
    device(c.device).gso_max_size = c.size;
    device(c.device).gro_max_size = c.size;
  }
  void apply_one(const ReplaceRootTbf& c) {
    ObservedDevice& d = device(c.device);
    std::erase_if(d.qdiscs, [](const ObservedQdisc& q) { return q.root; });
    ObservedQdisc tbf{.kind = "tbf", .handle = Handle{kTbfMajor, 0}, .root = true};
    tbf.tbf_rate = c.tbf.rate;
    tbf.tbf_burst = c.tbf.burst_bytes;
    tbf.limit_bytes = c.tbf.limit_bytes;
    d.qdiscs.push_back(tbf);
  }
};

}  // namespace nettoll::testing
