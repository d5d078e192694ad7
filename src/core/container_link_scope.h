// SPDX-License-Identifier: Apache-2.0
// Which host-side links to other network namespaces count as containers'
// (config key `container-links`): every veth, bridged or routed, or only
// veths on a bridge.
#pragma once

#include <string>

#include "core/result.h"

namespace nettoll {

enum class ContainerLinkScope {
  // `auto`: every veth whose peer lives in another namespace: Docker's and
  // Podman's bridges as much as systemd-nspawn's routed `ve-*` links or a CNI
  // `ptp` network.
  every_veth,
  // `bridged`: only veths enslaved to a bridge (docker0, podman0, cni0).
  bridged,
};

// "auto" or "bridged" → the scope; fails with a message naming the choices.
Result<ContainerLinkScope> parse_container_link_scope(const std::string& text);

}  // namespace nettoll
