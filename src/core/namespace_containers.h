// SPDX-License-Identifier: Apache-2.0
// Which container a network namespace belongs to: the container (from the
// cgroup, core/container_name.h) of the processes that live in it, so
// `nettoll status` can name the container behind each container link.
#pragma once

#include <sys/types.h>

#include <cstdint>
#include <map>
#include <string>
#include <vector>

namespace nettoll {

// A process in a network namespace the daemon sees by its namespace id.
struct NamespaceProcess {
  pid_t pid = 0;
  int32_t nsid = -1;   // as seen from the daemon's namespace
  std::string cgroup;  // its cgroup v2 path
};

// nsid → the container of the lowest pid of that namespace that is in a
// container (a pod's containers share one namespace: the first started, its
// infrastructure container, names it). Namespaces none of whose processes is
// in a container are left out.
std::map<int32_t, std::string> containers_of_namespaces(std::vector<NamespaceProcess> processes);

}  // namespace nettoll
