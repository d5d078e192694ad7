// SPDX-License-Identifier: Apache-2.0
#include "core/container_link_scope.h"

namespace nettoll {

Result<ContainerLinkScope> parse_container_link_scope(const std::string& text) {
  if (text == "auto") return ContainerLinkScope::every_veth;
  if (text == "bridged") return ContainerLinkScope::bridged;
  return Error{"expected auto (every veth to another namespace) or bridged (only veths on a bridge), got '" +
               text + "'; to leave containers alone write container-mark: off"};
}

}  // namespace nettoll
