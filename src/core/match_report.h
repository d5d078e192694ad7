// SPDX-License-Identifier: Apache-2.0
// `nettoll match`: which running processes each rule selects, and why, as a
// value built from a /proc scan with the daemon's own ProcessTable (first
// matching rule in config order, `recursive` rules passed to children).
#pragma once

#include <sys/types.h>

#include <nlohmann/json.hpp>
#include <set>
#include <string>
#include <vector>

#include "core/config.h"
#include "core/process_table.h"

namespace nettoll {

// One selected process, as the user recognises it.
struct SelectedProcess {
  pid_t pid = 0;
  pid_t ppid = 0;
  std::string name, exe, user;  // "" when unreadable
  std::string container;        // its id or machine name; "" outside containers
  std::string container_name;   // the engine's name for it, when known
  std::string matched;          // describe_reason; "" for a child taken through `recursive`
};

struct RuleSelection {
  std::string rule;
  std::string selects;                    // describe_selection
  std::vector<SelectedProcess> matched;   // by its own attributes
  std::vector<SelectedProcess> children;  // inherited from a recursive ancestor
};

struct MatchReport {
  size_t scanned = 0;
  std::vector<RuleSelection> rules;  // in config order
};

// The attributes `nettoll match` reads: what the rules use, and the name,
// exe, user and container it shows.
std::set<std::string> match_report_attributes(const std::vector<ProcessRule>& rules);

// Which of `processes` each rule selects, as the daemon would decide it.
MatchReport make_match_report(const std::vector<ProcessRule>& rules,
                              const std::vector<ScannedProcess>& processes);

// As a table per rule, ending with the rules that select nothing.
std::string format_match_report(const MatchReport& report);

// {"scanned": N, "rules": [{"rule", "selects", "matched": [...], "children": [...]}],
//  "selecting_nothing": [names]}.
nlohmann::json match_report_to_json(const MatchReport& report);

}  // namespace nettoll
