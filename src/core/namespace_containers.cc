// SPDX-License-Identifier: Apache-2.0
#include "core/namespace_containers.h"

#include <algorithm>

#include "core/container_name.h"

namespace nettoll {

std::map<int32_t, std::string> containers_of_namespaces(std::vector<NamespaceProcess> processes) {
  std::ranges::sort(processes, {}, &NamespaceProcess::pid);
  std::map<int32_t, std::string> containers;
  for (const NamespaceProcess& process : processes) {
    if (process.nsid < 0 || containers.contains(process.nsid)) continue;
    if (std::string container = container_of_cgroup(process.cgroup); !container.empty())
      containers.emplace(process.nsid, std::move(container));
  }
  return containers;
}

}  // namespace nettoll
