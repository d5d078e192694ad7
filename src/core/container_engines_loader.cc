// SPDX-License-Identifier: Apache-2.0
#include "core/container_engines_loader.h"

namespace nettoll {

std::vector<std::string> read_container_engines(ConfigNodeReader& reader, const YAML::Node& node) {
  const std::string what = "container-engines";
  std::vector<std::string> sockets;
  if (node.IsNull() || (node.IsScalar() && node.Scalar() == "off")) return sockets;
  if (!node.IsSequence()) {
    reader.error(node, what + ": expected a list of API sockets such as [/run/docker.sock], or off");
    return sockets;
  }
  for (const YAML::Node& item : node) {
    const auto path = reader.read_scalar(item, what, "the path of an engine's API socket");
    if (!path) continue;
    if (!path->starts_with('/')) {
      reader.error(item, what + ": '" + *path + "' is not an absolute path (such as /run/docker.sock)");
      continue;
    }
    sockets.push_back(*path);
  }
  return sockets;
}

}  // namespace nettoll
