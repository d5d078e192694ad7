// SPDX-License-Identifier: Apache-2.0
// The `api:` section (the HTTP API on loopback TCP) and how it relates to
// the older `reservations: api / token-file`, which mean the same.
#pragma once

#include <yaml-cpp/yaml.h>

#include <optional>

#include "core/config.h"
#include "core/config_node_reader.h"

namespace nettoll {

// Reads `api: {listen: 127.0.0.1:7657, token-file: PATH}`, reporting unknown
// keys and an address that is not loopback.
ApiConfig read_api_config(ConfigNodeReader& reader, const YAML::Node& node);

// Warns when both `api:` and `reservations: api/token-file` are written and
// disagree (`api:` wins).
void check_api_settings(ConfigNodeReader& reader, const Config& config);

// Where the API listens on TCP and its token file: `api:`, else the
// `reservations:` section's; nullopt (no TCP listener) without either.
std::optional<ApiConfig> tcp_api_of(const Config& config);

}  // namespace nettoll
