// SPDX-License-Identifier: Apache-2.0
#include "core/reconcile.h"

#include <fmt/format.h>

#include <algorithm>
#include <cstdlib>
#include <set>

#include "core/foreign_shaper.h"
#include "core/planner.h"

namespace nettoll {
namespace {

using Changes = std::vector<KernelChange>;

const ObservedQdisc* root_qdisc(const ObservedDevice& device) {
  for (const ObservedQdisc& qdisc : device.qdiscs) {
    if (qdisc.root) return &qdisc;
  }
  return nullptr;
}

const ObservedQdisc* qdisc_under(const ObservedDevice& device, Handle parent) {
  for (const ObservedQdisc& qdisc : device.qdiscs) {
    if (!qdisc.root && qdisc.parent == parent) return &qdisc;
  }
  return nullptr;
}

bool is_our_htb(const ObservedQdisc* qdisc) {
  return qdisc && qdisc->kind == "htb" && qdisc->handle.major == kHtbMajor;
}

bool is_our_tbf(const ObservedQdisc* qdisc) {
  return qdisc && qdisc->kind == "tbf" && qdisc->handle.major == kTbfMajor;
}

// The kernel attaches its default root qdiscs (pfifo_fast, noqueue, mq,
// fq_codel on some distributions) without a handle of their own.
bool is_kernel_default(const ObservedQdisc* qdisc) { return qdisc == nullptr || qdisc->handle.major == 0; }

Result<void> check_root_is_replaceable(const std::string& device, const ObservedQdisc* root) {
  if (is_kernel_default(root) || is_our_htb(root) || is_our_tbf(root)) return success();
  return Error{
      fmt::format("{} has a root qdisc {} {} that nettoll did not create, and nettoll will not replace "
                  "it. Remove it (tc qdisc del dev {} root) and start nettoll again",
                  device, root->kind, format_handle(root->handle), device)};
}

// Burst sizes come back from the kernel in timer ticks; allow the rounding.
bool close_enough(uint32_t observed, uint32_t desired) {
  const uint32_t difference = observed > desired ? observed - desired : desired - observed;
  return difference <= desired / 100 + 64;
}

bool class_matches(const ObservedClass& observed, const HtbClass& desired) {
  return observed.rate == desired.rate && observed.ceil == desired.ceil && observed.prio == desired.prio &&
         observed.quantum == desired.quantum && close_enough(observed.burst, desired.burst) &&
         close_enough(observed.cburst, desired.cburst);
}

bool leaf_matches(const ObservedQdisc* observed, const LeafQueue& desired) {
  if (!observed || observed->handle != desired.handle) return false;
  if (desired.kind == LeafQueueKind::bfifo)
    return observed->kind == "bfifo" && observed->limit_bytes == desired.limit_bytes;
  return observed->kind == "fq_codel" && observed->limit_packets == desired.limit_packets;
}

const ObservedClass* find_class(const ObservedDevice& device, Handle id) {
  for (const ObservedClass& c : device.classes) {
    if (c.id == id) return &c;
  }
  return nullptr;
}

void add_whole_tree(const HtbTree& tree, Changes& changes) {
  changes.push_back(ReplaceRootHtb{tree.device, tree.qdisc, tree.default_minor});
  for (const HtbClass& c : tree.classes) changes.push_back(AddClass{tree.device, c});
  for (const HtbClass& c : tree.classes) {
    if (c.leaf) changes.push_back(ReplaceLeaf{tree.device, c.id, *c.leaf});
  }
}

void update_tree(const HtbTree& tree, const ObservedDevice& device, Changes& changes) {
  std::set<Handle> wanted;
  for (const HtbClass& c : tree.classes) {
    wanted.insert(c.id);
    const ObservedClass* existing = find_class(device, c.id);
    if (existing && existing->parent != c.parent) {
      // HTB cannot move a class: remove it and build it again.
      changes.push_back(DeleteClass{tree.device, c.id});
      existing = nullptr;
    }
    if (!existing) {
      changes.push_back(AddClass{tree.device, c});
    } else if (!class_matches(*existing, c)) {
      changes.push_back(ChangeClass{tree.device, c});
    }
    if (c.leaf && (!existing || !leaf_matches(qdisc_under(device, c.id), *c.leaf))) {
      changes.push_back(ReplaceLeaf{tree.device, c.id, *c.leaf});
    }
  }
  // Leaves before the root class: HTB refuses to delete a class with children.
  std::vector<Handle> unwanted;
  for (const ObservedClass& c : device.classes) {
    if (c.id.major == kHtbMajor && !wanted.contains(c.id)) unwanted.push_back(c.id);
  }
  std::sort(unwanted.begin(), unwanted.end(), [](Handle a, Handle b) { return a.minor > b.minor; });
  for (Handle id : unwanted) changes.push_back(DeleteClass{tree.device, id});
}

Result<void> reconcile_tree(const HtbTree& tree, const ObservedDevice& device, Changes& changes) {
  const ObservedQdisc* root = root_qdisc(device);
  if (auto replaceable = check_root_is_replaceable(tree.device, root); !replaceable) return replaceable;
  if (is_our_htb(root) && root->htb_default == tree.default_minor) {
    update_tree(tree, device, changes);
  } else {
    add_whole_tree(tree, changes);
  }
  return success();
}

bool tbf_matches(const ObservedQdisc* root, const TbfPlan& tbf) {
  return is_our_tbf(root) && root->tbf_rate == tbf.rate && root->limit_bytes == tbf.limit_bytes &&
         close_enough(root->tbf_burst, tbf.burst_bytes);
}

// The device's ingress redirect and clsact as they will be once `changes`
// (removals so far) are made.
bool redirect_remains(const std::string& name, const ObservedDevice& device, const Changes& changes) {
  if (!device.has_ingress_redirect) return false;
  return std::none_of(changes.begin(), changes.end(), [&](const KernelChange& change) {
    const auto* removal = std::get_if<RemoveIngressRedirect>(&change);
    return removal && removal->device == name;
  });
}

bool clsact_remains(const std::string& name, const ObservedDevice& device, const Changes& changes) {
  if (!device.has_clsact) return false;
  return std::none_of(changes.begin(), changes.end(), [&](const KernelChange& change) {
    const auto* removal = std::get_if<RemoveIngressRedirect>(&change);
    return removal && removal->device == name && removal->delete_clsact;
  });
}

void remove_redirect(const std::string& name, const ObservedDevice& device, Changes& changes) {
  if (redirect_remains(name, device, changes)) {
    changes.push_back(RemoveIngressRedirect{name, device.other_clsact_filters == 0});
  }
}

void append_unique(std::vector<std::string>& names, const std::string& name) {
  if (!name.empty() && std::find(names.begin(), names.end(), name) == names.end()) names.push_back(name);
}

bool contains(const std::vector<std::string>& names, const std::string& name) {
  return std::find(names.begin(), names.end(), name) != names.end();
}

bool lowered_gso(const ObservedDevice& device) {
  return device.exists &&
         (device.gso_max_size < kDefaultGsoMaxSize || device.gro_max_size < kDefaultGsoMaxSize);
}

// Restores the default only where nettoll shaped before: a size the user
// lowered on an interface nettoll never managed is theirs.
void reconcile_gso(const Plan& desired, const ObservedDevice& device, bool shaped_before, Changes& changes) {
  if (desired.gso_max_size) {
    if (device.gso_max_size != desired.gso_max_size || device.gro_max_size != desired.gso_max_size) {
      changes.push_back(SetGsoLimit{desired.interface, desired.gso_max_size});
    }
  } else if (shaped_before && lowered_gso(device)) {
    changes.push_back(SetGsoLimit{desired.interface, kDefaultGsoMaxSize});
  }
}

// Removals for shaped interfaces and TBF devices the plan no longer wants.
void remove_unwanted(const ManagedDevices& wanted, const ObservedKernel& observed,
                     const ManagedDevices& previous, bool keep_ingress_of_wanted, Changes& changes) {
  for (const std::string& interface : previous.shaped_interfaces) {
    const ObservedDevice& device = observed.device(interface);
    const bool still_shaped = contains(wanted.shaped_interfaces, interface);
    if (!(still_shaped && keep_ingress_of_wanted)) remove_redirect(interface, device, changes);
    const std::string ifb = ifb_name_for(interface);
    if (observed.device(ifb).exists && !(still_shaped && keep_ingress_of_wanted))
      changes.push_back(DeleteIfb{ifb});
  }
  for (const std::string& interface : previous.shaped_interfaces) {
    if (contains(wanted.shaped_interfaces, interface)) continue;
    const ObservedDevice& device = observed.device(interface);
    if (is_our_htb(root_qdisc(device))) changes.push_back(DeleteRootQdisc{interface});
    if (lowered_gso(device)) changes.push_back(SetGsoLimit{interface, kDefaultGsoMaxSize});
  }
  for (const std::string& name : previous.tbf_devices) {
    if (!contains(wanted.tbf_devices, name) && is_our_tbf(root_qdisc(observed.device(name)))) {
      changes.push_back(DeleteRootQdisc{name});
    }
  }
  for (const std::string& name : previous.tbf_ingress_devices) {
    const std::string ifb = tbf_ifb_name_for(name);
    if (contains(wanted.tbf_ingress_devices, name) || !observed.device(ifb).exists) continue;
    // The redirect leads to this IFB; a tree that now wants the device's
    // ingress adds its own.
    remove_redirect(name, observed.device(name), changes);
    changes.push_back(DeleteIfb{ifb});
  }
}

// An egress TBF at the root of its device; an ingress one on its own IFB, fed
// by a redirect from the device. A device that is absent gets it when it
// appears (the daemon reconciles again on every link change); the IFB of one
// that went away is removed.
Result<void> reconcile_tbf(const TbfPlan& tbf, const ObservedKernel& observed, Changes& changes) {
  const ObservedDevice& device = observed.device(tbf.device);
  const ObservedDevice& target = observed.device(tbf.qdisc_device());
  if (tbf.direction == TbfDirection::ingress) {
    if (!device.exists) {
      if (target.exists) changes.push_back(DeleteIfb{tbf.ifb});
      return success();
    }
    if (!target.exists) changes.push_back(CreateIfb{tbf.ifb});
  } else if (!device.exists) {
    return success();
  }
  const ObservedQdisc* root = root_qdisc(target);
  if (auto ok = check_root_is_replaceable(tbf.qdisc_device(), root); !ok) return ok;
  if (!tbf_matches(root, tbf)) changes.push_back(ReplaceRootTbf{tbf.qdisc_device(), tbf});
  if (tbf.direction == TbfDirection::ingress && !redirect_remains(tbf.device, device, changes)) {
    changes.push_back(AddIngressRedirect{tbf.device, tbf.ifb, !clsact_remains(tbf.device, device, changes)});
  }
  return success();
}

// remove_unwanted already deleted the root of an interface shaped before
// and not now: a second delete would fail.
bool released_above(const std::string& interface, const ManagedDevices& wanted,
                    const ManagedDevices& previous) {
  return contains(previous.shaped_interfaces, interface) && !contains(wanted.shaped_interfaces, interface);
}

}  // namespace

ManagedDevices managed_devices_of(const Plan& plan) {
  ManagedDevices devices;
  if (plan.egress || plan.ingress) devices.shaped_interfaces.push_back(plan.interface);
  for (const TbfPlan& tbf : plan.tbfs) {
    (tbf.direction == TbfDirection::ingress ? devices.tbf_ingress_devices : devices.tbf_devices)
        .push_back(tbf.device);
  }
  return devices;
}

std::vector<std::string> devices_to_observe(const ManagedDevices& desired, const ManagedDevices& previous) {
  std::vector<std::string> names;
  for (const ManagedDevices* set : {&desired, &previous}) {
    for (const std::string& interface : set->shaped_interfaces) {
      append_unique(names, interface);
      append_unique(names, ifb_name_for(interface));
    }
    for (const std::string& name : set->tbf_devices) append_unique(names, name);
    for (const std::string& name : set->tbf_ingress_devices) {
      append_unique(names, name);
      append_unique(names, tbf_ifb_name_for(name));
    }
  }
  return names;
}

Result<std::vector<KernelChange>> reconcile(const Plan& desired, const ObservedKernel& observed,
                                            const ManagedDevices& previous) {
  Changes changes;
  const ManagedDevices wanted = managed_devices_of(desired);
  // Removals come first so a moved interface is released before the new one is shaped.
  ManagedDevices all_previous = previous;
  for (const std::string& interface : wanted.shaped_interfaces)
    append_unique(all_previous.shaped_interfaces, interface);
  for (const std::string& name : wanted.tbf_devices) append_unique(all_previous.tbf_devices, name);
  for (const std::string& name : wanted.tbf_ingress_devices)
    append_unique(all_previous.tbf_ingress_devices, name);
  if (desired.egress || desired.ingress) {
    const bool replaces_root = desired.egress.has_value();
    if (auto foreign = foreign_shaper_problem(desired.interface, observed, replaces_root))
      return Error{*foreign};
  }
  remove_unwanted(wanted, observed, all_previous, desired.ingress.has_value(), changes);

  // Smaller aggregates before the small fifos that need them.
  if (desired.egress || desired.ingress) {
    reconcile_gso(desired, observed.device(desired.interface),
                  contains(previous.shaped_interfaces, desired.interface), changes);
  }
  if (desired.egress) {
    if (auto ok = reconcile_tree(*desired.egress, observed.device(desired.egress->device), changes); !ok) {
      return Error{ok.error()};
    }
  } else if (!desired.interface.empty() && is_our_htb(root_qdisc(observed.device(desired.interface))) &&
             !released_above(desired.interface, wanted, all_previous)) {
    changes.push_back(DeleteRootQdisc{desired.interface});
  }
  if (desired.ingress) {
    const ObservedDevice& ifb = observed.device(desired.ifb);
    if (!ifb.exists) changes.push_back(CreateIfb{desired.ifb});
    if (auto ok = reconcile_tree(*desired.ingress, ifb, changes); !ok) return Error{ok.error()};
    const ObservedDevice& interface = observed.device(desired.interface);
    if (!redirect_remains(desired.interface, interface, changes)) {
      changes.push_back(AddIngressRedirect{desired.interface, desired.ifb,
                                           !clsact_remains(desired.interface, interface, changes)});
    }
  }
  for (const TbfPlan& tbf : desired.tbfs) {
    if (auto ok = reconcile_tbf(tbf, observed, changes); !ok) return Error{ok.error()};
  }
  return changes;
}

std::vector<KernelChange> teardown(const ObservedKernel& observed, const ManagedDevices& managed) {
  Changes changes;
  remove_unwanted(ManagedDevices{}, observed, managed, false, changes);
  return changes;
}

}  // namespace nettoll
