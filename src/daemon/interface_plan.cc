// SPDX-License-Identifier: Apache-2.0
#include "daemon/interface_plan.h"

#include "core/planner.h"
#include "core/tbf_params.h"
#include "kernel/kernel_capabilities.h"
#include "kernel/link_gso.h"
#include "kernel/links.h"

namespace nettoll {

ListedDevices observe_listed_devices(NetlinkSocket& socket, const Config& config) {
  ListedDevices devices;
  for (const InterfaceLimit& limit : config.interfaces) {
    auto link = find_link(socket, limit.name);
    if (!link) continue;  // not there (yet): planned when it appears
    devices[limit.name] = ListedDevice{link->mtu, link_header_bytes_for(link->type)};
  }
  return devices;
}

Result<Plan> plan_for_interface(NetlinkSocket& socket, const Config& config, const std::string& interface,
                                NaturalGsoSizes& natural_gso, const std::vector<ReservedStream>& streams,
                                const StreamSlots& slots) {
  if (!config.shapes_anything() && !config.accounting) {
    Plan plan;
    plan.interface = interface;
    return plan;
  }
  const ProbedCapabilities kernel = probe_kernel_capabilities();
  const ListedDevices devices = observe_listed_devices(socket, config);
  if (interface.empty()) return make_plan(config, ManagedInterface{"", 0}, kernel.capabilities, devices);
  auto link = find_link(socket, interface);
  if (!link) return Error{link.error()};
  if (!natural_gso.contains(interface)) {
    auto gso = read_gso_limits(socket, link->ifindex, interface);
    if (!gso) return Error{gso.error()};
    natural_gso[interface] = gso->gso_max_size;
  }
  return make_plan(config, ManagedInterface{interface, link->mtu, natural_gso[interface]},
                   kernel.capabilities, devices, streams, slots);
}

}  // namespace nettoll
