// SPDX-License-Identifier: Apache-2.0
// Reading `processes:` and the per-direction settings shared by the top level
// and each process rule. Used by config_loader; not a public API.
#pragma once

#include <yaml-cpp/yaml.h>

#include <optional>
#include <string>
#include <vector>

#include "core/config.h"
#include "core/config_node_reader.h"

namespace nettoll {

// One direction's settings as written, before they become DirectionSettings.
struct DirectionInput {
  std::optional<RateValue> limit;
  std::optional<RateValue> minimum;
  std::optional<int> priority;

  DirectionSettings settings() const;
};

struct DirectionInputs {
  DirectionInput download;
  DirectionInput upload;
};

// Appends the handlers of download, upload, download-minimum, upload-minimum,
// download-priority and upload-priority. `prefix` starts each message, e.g.
// "process 'voice': " or "".
void add_direction_fields(ConfigNodeReader& reader, const std::string& prefix, DirectionInputs& inputs,
                          ConfigNodeReader::Fields& fields);

// Reports a minimum above its own limit, phrased for the top level
// (`owner` = "the global") or a process (`owner` = "its").
void check_minimum_fits(ConfigNodeReader& reader, const std::string& prefix, const std::string& owner,
                        const DirectionInputs& inputs);

// The rules of `processes:` (null = none), checked against the global limits.
std::vector<ProcessRule> read_process_rules(ConfigNodeReader& reader, const YAML::Node& node,
                                            const DirectionInputs& globals);

}  // namespace nettoll
