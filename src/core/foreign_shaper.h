// SPDX-License-Identifier: Apache-2.0
// Recognising another shaper's objects on the interface nettoll is about to
// shape: a root qdisc or an `ingress` qdisc nettoll did not create.
// TrafficToll (and tt-bandwidth-manager, which runs it) leaves an HTB at the
// root, an ingress qdisc redirecting to an IFB device (ifb0) and an HTB
// there; nettoll refuses to replace them and says how to remove them.
#pragma once

#include <optional>
#include <string>

#include "core/kernel_state.h"

namespace nettoll {

// A one-line message when `device` has a root qdisc nettoll did not create
// and nettoll would replace it (`replaces_root`: it shapes upload there), or
// it looks like TrafficToll's leftovers (an HTB root with an ingress qdisc or
// another IFB): what was found (the ingress qdisc and `observed.ifb_devices`
// too), how to remove it, and to restart nettoll. Nullopt otherwise.
std::optional<std::string> foreign_shaper_problem(const std::string& device, const ObservedKernel& observed,
                                                  bool replaces_root);

}  // namespace nettoll
