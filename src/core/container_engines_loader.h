// SPDX-License-Identifier: Apache-2.0
// The `container-engines:` setting: the API sockets of Docker and Podman
// whose container names `container:` matches (read-only).
#pragma once

#include <yaml-cpp/yaml.h>

#include <string>
#include <vector>

#include "core/config_node_reader.h"

namespace nettoll {

// The socket paths of `container-engines: [/run/docker.sock, ...]`; `off`
// or `[]` for none. Reports a value that is not a list of absolute paths.
std::vector<std::string> read_container_engines(ConfigNodeReader& reader, const YAML::Node& node);

}  // namespace nettoll
