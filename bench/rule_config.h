// SPDX-License-Identifier: Apache-2.0
// Generated configs with many process rules, for timing how long applying
// them takes.
#pragma once

#include <cstddef>
#include <string>

namespace nettoll::bench {

// YAML with global limits of 100 Mbit/s both ways and `rules` process rules
// "p0", "p1"... each matching a process name and limited to 10 Mbit/s upload;
// rule number `changed_rule` (if below `rules`) gets `changed_upload_mbit`
// instead, for a rate-only change.
std::string config_with_rules(size_t rules, size_t changed_rule = SIZE_MAX, int changed_upload_mbit = 10);

}  // namespace nettoll::bench
