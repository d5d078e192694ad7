// SPDX-License-Identifier: Apache-2.0
// Which interface nettoll manages: the configured one, or with `auto` the one
// the kernel routes internet traffic through. Pure: the kernel's answers come in.
#pragma once

#include <optional>
#include <string>
#include <vector>

namespace nettoll {

struct InterfaceChoiceInput {
  std::string configured;                 // "auto" or an interface name
  std::optional<std::string> ipv4_route;  // interface of the route to a public IPv4 address
  std::optional<std::string> ipv6_route;  // same for IPv6
  std::vector<std::string> existing_interfaces;
};

struct InterfaceChoice {
  std::string interface;  // "" = nothing to manage now
  std::string reason;     // for the log and `nettoll status`
  bool operator==(const InterfaceChoice&) const = default;
};

// The public addresses whose routes decide `auto`. Only used as lookup keys:
// nettoll sends them nothing.
inline constexpr const char* kProbeIpv4 = "1.1.1.1";
inline constexpr const char* kProbeIpv6 = "2606:4700:4700::1111";

// `auto`: the IPv4 route's interface, else the IPv6 one's, never loopback or
// nettoll's own IFBs. A fixed name: that interface once it exists.
InterfaceChoice choose_interface(const InterfaceChoiceInput& input);

}  // namespace nettoll
