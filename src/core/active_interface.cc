// SPDX-License-Identifier: Apache-2.0
#include "core/active_interface.h"

#include <algorithm>

namespace nettoll {
namespace {

// Loopback never reaches the internet, and an IFB carries nettoll's own
// redirected ingress: neither is an uplink.
bool can_be_uplink(const std::string& name) { return name != "lo" && !name.starts_with("ntb-"); }

}  // namespace

InterfaceChoice choose_interface(const InterfaceChoiceInput& input) {
  if (input.configured != "auto") {
    const auto& existing = input.existing_interfaces;
    if (std::find(existing.begin(), existing.end(), input.configured) != existing.end()) {
      return {input.configured, "configured"};
    }
    return {"", "waiting for " + input.configured + " to appear"};
  }
  if (input.ipv4_route && can_be_uplink(*input.ipv4_route)) {
    return {*input.ipv4_route,
            std::string("the route to ") + kProbeIpv4 + " goes through " + *input.ipv4_route};
  }
  if (input.ipv6_route && can_be_uplink(*input.ipv6_route)) {
    return {*input.ipv6_route,
            std::string("the route to ") + kProbeIpv6 + " goes through " + *input.ipv6_route};
  }
  return {"", "no route to the internet"};
}

}  // namespace nettoll
