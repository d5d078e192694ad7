// SPDX-License-Identifier: Apache-2.0
// ProcessTable: which rule each running process falls under, kept current
// from process events (fork, exec, exit) and an initial /proc scan, and
// re-evaluated on a config reload without reading /proc again. Pure: the
// caller reads /proc and applies the returned changes to the BPF pid map.
//
// How a process gets its rule:
//   - its own attributes: the first rule in config order that matches them;
//   - else its parent's rule, when that rule is `recursive` (so a recursive
//     rule covers every descendant that matches no rule of its own; a
//     descendant with a non-recursive rule of its own stops the inheritance
//     for its own children);
//   - else none (rule id 0).
// A forked child has its parent's attributes until it execs (as /proc would
// show), so a prefork worker matches what its parent matched. Inheritance is
// decided at fork time along the recorded parent chain; a process whose
// parent has exited keeps what it inherited.
#pragma once

#include <sys/types.h>

#include <cstdint>
#include <map>
#include <set>
#include <string>
#include <vector>

#include "core/config.h"
#include "core/process_match.h"

namespace nettoll {

// Rule ids as the classifier uses them: index in config order + 1; 0 = none.
using ProcessRuleId = uint32_t;

// A process whose rule changed: the caller updates (or, for new_rule 0,
// deletes) its pid map entry.
struct ProcessRuleChange {
  pid_t pid = 0;
  ProcessRuleId old_rule = 0;
  ProcessRuleId new_rule = 0;
  bool operator==(const ProcessRuleChange&) const = default;
};

// One process of a /proc scan.
struct ScannedProcess {
  pid_t pid = 0;
  pid_t ppid = 0;
  ProcessAttributes attributes;
};

// True when `a` and `b` select the same processes: same names, match
// entries and `recursive` flags in the same order (limits may differ).
bool same_match_rules(const std::vector<ProcessRule>& a, const std::vector<ProcessRule>& b);

// The process attributes `rules` look at (their predicates' attributes), so
// the daemon reads no more of /proc than they need.
std::set<std::string> attributes_used(const std::vector<ProcessRule>& rules);

class ProcessTable {
 public:
  explicit ProcessTable(std::vector<ProcessRule> rules = {});

  // Replaces what is known with a full scan (at start, and after the event
  // source overflowed). Processes missing from the scan are dropped; a known
  // process keeps what it inherited even when it was reparented meanwhile.
  std::vector<ProcessRuleChange> on_scan(const std::vector<ScannedProcess>& processes);

  // `pid` replaced its program: its new attributes decide its own rule; with
  // none matching it keeps the rule it inherited. An untracked pid (its fork
  // was missed) is added as a child of `ppid`. Also the call for a process
  // whose name or uid changed (comm and uid events): re-read, then on_exec.
  std::vector<ProcessRuleChange> on_exec(pid_t pid, pid_t ppid, ProcessAttributes attributes);

  // `child` was forked by `parent`: it shares the parent's attributes and
  // inherits a recursive rule. A child of an untracked parent gets no rule.
  std::vector<ProcessRuleChange> on_fork(pid_t child, pid_t parent);

  // `pid` exited: forgotten; its children keep what they inherited.
  std::vector<ProcessRuleChange> on_exit(pid_t pid);

  // Forgets, as on_exit, every process not in `alive` (the pids running
  // now, ascending): for callers that do not receive every exit.
  std::vector<ProcessRuleChange> prune(const std::vector<pid_t>& alive);

  // New rules (a config reload): every process is re-evaluated from its
  // stored attributes and recorded parent. A process whose parent has exited
  // keeps its inherited rule when a rule of that name still exists and is
  // still recursive.
  std::vector<ProcessRuleChange> set_rules(std::vector<ProcessRule> rules);

  // True when `pid` is in the table.
  bool tracks(pid_t pid) const { return processes_.contains(pid); }

  // The rule of `pid` (0 when untracked or unmatched).
  ProcessRuleId rule_of(pid_t pid) const;

  // What is known of `pid` (nullptr when untracked).
  const ProcessAttributes* attributes_of(pid_t pid) const;

  // True when `pid` has its rule from an ancestor rather than its own match.
  bool inherited(pid_t pid) const;

  // Every process with a rule, pid → rule id (for status and the pid map).
  std::map<pid_t, ProcessRuleId> matched() const;

  size_t size() const { return processes_.size(); }

 private:
  struct Tracked {
    pid_t parent = 0;  // recorded at fork or scan; 0 once that parent exited
    ProcessAttributes attributes;
    ProcessRuleId own_rule = 0;        // from its own attributes
    ProcessRuleId inherited_rule = 0;  // from its parent, when recursive
    std::set<pid_t> children;
    ProcessRuleId rule() const { return own_rule != 0 ? own_rule : inherited_rule; }
  };

  ProcessRuleId first_matching_rule(const ProcessAttributes& attributes) const;
  // The rule `pid`'s children inherit: its rule when recursive, else 0.
  ProcessRuleId passed_to_children(pid_t pid) const;
  void add(pid_t pid, pid_t parent, ProcessAttributes attributes);
  // Sets every inherited rule from the parent's, parents first; a process
  // its parent passes nothing to falls back to `kept_rules`.
  void evaluate_tree(const std::map<pid_t, ProcessRuleId>& kept_rules);
  static std::vector<ProcessRuleChange> diff(const std::map<pid_t, ProcessRuleId>& before,
                                             const std::map<pid_t, ProcessRuleId>& after);

  std::vector<ProcessRule> rules_;
  std::map<pid_t, Tracked> processes_;
};

}  // namespace nettoll
