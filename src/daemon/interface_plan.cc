#include "daemon/interface_plan.h"

#include "core/planner.h"
#include "kernel/kernel_capabilities.h"
#include "kernel/link_gso.h"
#include "kernel/links.h"

namespace nettoll {

Result<Plan> plan_for_interface(NetlinkSocket& socket, const Config& config, const std::string& interface,
                                NaturalGsoSizes& natural_gso, const std::vector<ReservedStream>& streams,
                                const StreamSlots& slots) {
  if (interface.empty() || !config.shapes_anything()) {
    Plan plan;
    plan.interface = interface;
    return plan;
  }
  auto link = find_link(socket, interface);
  if (!link) return Error{link.error()};
  if (!natural_gso.contains(interface)) {
    auto gso = read_gso_limits(socket, link->ifindex, interface);
    if (!gso) return Error{gso.error()};
    natural_gso[interface] = gso->gso_max_size;
  }
  const ProbedCapabilities kernel = probe_kernel_capabilities();
  return make_plan(config, ManagedInterface{interface, link->mtu, natural_gso[interface]}, kernel.capabilities,
                   streams, slots);
}

}  // namespace nettoll
