// SPDX-License-Identifier: Apache-2.0
#include "core/leftovers.h"

#include <algorithm>

#include "core/planner.h"

namespace nettoll {
namespace {

constexpr std::string_view kIfbPrefix = "ntb-";

void add_once(std::vector<std::string>& names, const std::string& name) {
  if (std::find(names.begin(), names.end(), name) == names.end()) names.push_back(name);
}

bool has_root(const ObservedDevice& device, const std::string& kind, uint16_t major) {
  return std::any_of(device.qdiscs.begin(), device.qdiscs.end(), [&](const ObservedQdisc& qdisc) {
    return qdisc.root && qdisc.kind == kind && qdisc.handle.major == major;
  });
}

// The interface whose ingress the IFB `ifb` carried. IFB names are cut to
// fit IFNAMSIZ, so the owner is found by its IFB name, not by the suffix.
std::string owner_of_ifb(const ObservedKernel& observed, const std::string& ifb) {
  for (const auto& [name, device] : observed.devices) {
    if (name != ifb && device.exists && ifb_name_for(name) == ifb) return name;
  }
  return ifb.substr(kIfbPrefix.size());
}

}  // namespace

ManagedDevices find_leftovers(const ObservedKernel& observed) {
  ManagedDevices found;
  for (const auto& [name, device] : observed.devices) {
    if (!device.exists) continue;
    if (name.starts_with(kIfbPrefix)) {
      add_once(found.shaped_interfaces, owner_of_ifb(observed, name));
      continue;
    }
    if (has_root(device, "htb", kHtbMajor) || device.has_ingress_redirect)
      add_once(found.shaped_interfaces, name);
    if (has_root(device, "tbf", kTbfMajor)) add_once(found.tbf_devices, name);
  }
  return found;
}

}  // namespace nettoll
