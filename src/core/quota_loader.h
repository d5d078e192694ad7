// SPDX-License-Identifier: Apache-2.0
// Reads `quota: {period, start, total|download|upload, then, warn-at}` (on the
// top level or in a rule), reporting each problem at its line and column.
// Used by config_loader and process_rule_loader.
#pragma once

#include <yaml-cpp/yaml.h>

#include <optional>
#include <string>

#include "core/config_node_reader.h"
#include "core/quota_config.h"

namespace nettoll {

// The quota of `node`, or nullopt after reporting why there is none.
// `what` names it in messages ("quota", "process 'updater': quota");
// `in_rule` allows `then: block`, which only a rule's quota may use.
std::optional<QuotaConfig> read_quota(ConfigNodeReader& reader, const YAML::Node& node,
                                      const std::string& what, bool in_rule);

}  // namespace nettoll
