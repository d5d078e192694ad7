// SPDX-License-Identifier: Apache-2.0
#include "core/process_table.h"

#include <algorithm>
#include <utility>

namespace nettoll {

bool same_match_rules(const std::vector<ProcessRule>& a, const std::vector<ProcessRule>& b) {
  const auto same_predicate = [](const MatchPredicate& x, const MatchPredicate& y) {
    return x.attribute == y.attribute && x.pattern == y.pattern;
  };
  const auto same_entry = [&](const MatchEntry& x, const MatchEntry& y) {
    return std::ranges::equal(x.predicates, y.predicates, same_predicate);
  };
  const auto same_rule = [&](const ProcessRule& x, const ProcessRule& y) {
    return x.name == y.name && x.recursive == y.recursive &&
           std::ranges::equal(x.match, y.match, same_entry) &&
           std::ranges::equal(x.match_any, y.match_any, same_entry);
  };
  return std::ranges::equal(a, b, same_rule);
}

std::set<std::string> attributes_used(const std::vector<ProcessRule>& rules) {
  std::set<std::string> attributes;
  for (const ProcessRule& rule : rules) {
    for (const auto* entries : {&rule.match, &rule.match_any}) {
      for (const MatchEntry& entry : *entries) {
        for (const MatchPredicate& predicate : entry.predicates) attributes.insert(predicate.attribute);
      }
    }
  }
  return attributes;
}
namespace {

std::vector<ProcessRuleChange> change_of(pid_t pid, ProcessRuleId old_rule, ProcessRuleId new_rule) {
  if (old_rule == new_rule) return {};
  return {ProcessRuleChange{pid, old_rule, new_rule}};
}

}  // namespace

ProcessTable::ProcessTable(std::vector<ProcessRule> rules) : rules_(std::move(rules)) {}

ProcessRuleId ProcessTable::first_matching_rule(const ProcessAttributes& attributes) const {
  for (size_t i = 0; i < rules_.size(); ++i) {
    if (rule_matches(rules_[i], attributes)) return static_cast<ProcessRuleId>(i + 1);
  }
  return 0;
}

ProcessRuleId ProcessTable::passed_to_children(pid_t pid) const {
  const auto found = processes_.find(pid);
  if (found == processes_.end()) return 0;
  const ProcessRuleId rule = found->second.rule();
  return rule != 0 && rules_[rule - 1].recursive ? rule : 0;
}

void ProcessTable::add(pid_t pid, pid_t parent, ProcessAttributes attributes) {
  Tracked& tracked = processes_[pid];
  tracked.own_rule = first_matching_rule(attributes);
  tracked.attributes = std::move(attributes);
  const auto parent_entry = processes_.find(parent);
  if (parent != pid && parent_entry != processes_.end()) {
    tracked.parent = parent;
    tracked.inherited_rule = passed_to_children(parent);
    parent_entry->second.children.insert(pid);
  }
}

std::vector<ProcessRuleChange> ProcessTable::on_fork(pid_t child, pid_t parent) {
  const ProcessRuleId old_rule = rule_of(child);
  if (processes_.contains(child)) (void)on_exit(child);  // its exit was missed; the pid is new
  ProcessAttributes attributes;
  if (const auto found = processes_.find(parent); found != processes_.end()) {
    attributes = found->second.attributes;
  }
  attributes.values["pid"] = std::to_string(child);
  attributes.values["ppid"] = std::to_string(parent);
  add(child, parent, std::move(attributes));
  return change_of(child, old_rule, rule_of(child));
}

std::vector<ProcessRuleChange> ProcessTable::on_exec(pid_t pid, pid_t ppid, ProcessAttributes attributes) {
  const auto found = processes_.find(pid);
  if (found == processes_.end()) {
    add(pid, ppid, std::move(attributes));
    return change_of(pid, 0, rule_of(pid));
  }
  Tracked& tracked = found->second;
  const ProcessRuleId old_rule = tracked.rule();
  tracked.own_rule = first_matching_rule(attributes);
  tracked.attributes = std::move(attributes);
  return change_of(pid, old_rule, tracked.rule());
}

std::vector<ProcessRuleChange> ProcessTable::on_exit(pid_t pid) {
  const auto found = processes_.find(pid);
  if (found == processes_.end()) return {};
  const Tracked& tracked = found->second;
  for (const pid_t child : tracked.children) {
    if (auto orphan = processes_.find(child); orphan != processes_.end()) orphan->second.parent = 0;
  }
  if (auto parent = processes_.find(tracked.parent); parent != processes_.end()) {
    parent->second.children.erase(pid);
  }
  const ProcessRuleId old_rule = tracked.rule();
  processes_.erase(found);
  return change_of(pid, old_rule, 0);
}

std::vector<ProcessRuleChange> ProcessTable::prune(const std::vector<pid_t>& alive) {
  std::vector<pid_t> gone;
  for (const auto& [pid, tracked] : processes_) {
    if (!std::binary_search(alive.begin(), alive.end(), pid)) gone.push_back(pid);
  }
  std::vector<ProcessRuleChange> changes;
  for (pid_t pid : gone) {
    for (const ProcessRuleChange& change : on_exit(pid)) changes.push_back(change);
  }
  return changes;
}

std::vector<ProcessRuleChange> ProcessTable::on_scan(const std::vector<ScannedProcess>& processes) {
  const std::map<pid_t, ProcessRuleId> before = matched();
  // A process already known keeps what it inherited when its parent in the
  // scan passes nothing (a rescan after lost events: the parent exited and
  // init adopted it). Between events, only a reload takes inheritance away.
  std::map<pid_t, ProcessRuleId> kept_inheritance;
  for (const auto& [pid, tracked] : processes_) {
    if (tracked.inherited_rule != 0) kept_inheritance[pid] = tracked.inherited_rule;
  }
  processes_.clear();
  for (const ScannedProcess& process : processes) {
    Tracked& tracked = processes_[process.pid];
    tracked.parent = process.ppid;
    tracked.attributes = process.attributes;
    tracked.own_rule = first_matching_rule(process.attributes);
  }
  for (auto& [pid, tracked] : processes_) {
    const auto parent = processes_.find(tracked.parent);
    if (parent == processes_.end() || tracked.parent == pid) {
      tracked.parent = 0;
    } else {
      parent->second.children.insert(pid);
    }
  }
  evaluate_tree(kept_inheritance);
  return diff(before, matched());
}

std::vector<ProcessRuleChange> ProcessTable::set_rules(std::vector<ProcessRule> rules) {
  const std::map<pid_t, ProcessRuleId> before = matched();
  std::map<std::string, ProcessRuleId> recursive_by_name;
  for (size_t i = 0; i < rules.size(); ++i) {
    if (rules[i].recursive) recursive_by_name.emplace(rules[i].name, static_cast<ProcessRuleId>(i + 1));
  }
  std::map<pid_t, ProcessRuleId> orphan_rules;
  for (const auto& [pid, tracked] : processes_) {
    if (tracked.parent != 0 || tracked.inherited_rule == 0) continue;
    const auto renamed = recursive_by_name.find(rules_[tracked.inherited_rule - 1].name);
    if (renamed != recursive_by_name.end()) orphan_rules[pid] = renamed->second;
  }
  rules_ = std::move(rules);
  for (auto& [pid, tracked] : processes_) tracked.own_rule = first_matching_rule(tracked.attributes);
  evaluate_tree(orphan_rules);
  return diff(before, matched());
}

void ProcessTable::evaluate_tree(const std::map<pid_t, ProcessRuleId>& kept_rules) {
  // Parents before children, so each child reads its parent's final rule.
  // Roots are processes without a tracked parent; a process not reached from
  // a root (a parent chain garbled by pid reuse) is treated as a root.
  std::set<pid_t> visited;
  auto inherit = [&](pid_t pid, ProcessRuleId passed) {
    const auto kept = kept_rules.find(pid);
    processes_[pid].inherited_rule = passed != 0 || kept == kept_rules.end() ? passed : kept->second;
  };
  auto visit_from = [&](pid_t root) {
    if (visited.contains(root)) return;
    inherit(root, 0);
    std::vector<pid_t> pending{root};
    while (!pending.empty()) {
      const pid_t pid = pending.back();
      pending.pop_back();
      if (!visited.insert(pid).second) continue;
      const ProcessRuleId passed = passed_to_children(pid);
      for (const pid_t child : processes_[pid].children) {
        if (visited.contains(child)) continue;
        inherit(child, passed);
        pending.push_back(child);
      }
    }
  };
  for (const auto& [pid, tracked] : processes_) {
    if (tracked.parent == 0) visit_from(pid);
  }
  for (const auto& [pid, tracked] : processes_) {
    if (!visited.contains(pid)) visit_from(pid);
  }
}

std::vector<ProcessRuleChange> ProcessTable::diff(const std::map<pid_t, ProcessRuleId>& before,
                                                  const std::map<pid_t, ProcessRuleId>& after) {
  std::vector<ProcessRuleChange> changes;
  auto old_entry = before.begin();
  auto new_entry = after.begin();
  while (old_entry != before.end() || new_entry != after.end()) {
    if (new_entry == after.end() || (old_entry != before.end() && old_entry->first < new_entry->first)) {
      changes.push_back({old_entry->first, old_entry->second, 0});
      ++old_entry;
    } else if (old_entry == before.end() || new_entry->first < old_entry->first) {
      changes.push_back({new_entry->first, 0, new_entry->second});
      ++new_entry;
    } else {
      if (old_entry->second != new_entry->second) {
        changes.push_back({old_entry->first, old_entry->second, new_entry->second});
      }
      ++old_entry;
      ++new_entry;
    }
  }
  return changes;
}

ProcessRuleId ProcessTable::rule_of(pid_t pid) const {
  const auto found = processes_.find(pid);
  return found == processes_.end() ? 0 : found->second.rule();
}

const ProcessAttributes* ProcessTable::attributes_of(pid_t pid) const {
  const auto found = processes_.find(pid);
  return found == processes_.end() ? nullptr : &found->second.attributes;
}

bool ProcessTable::inherited(pid_t pid) const {
  const auto found = processes_.find(pid);
  return found != processes_.end() && found->second.own_rule == 0 && found->second.inherited_rule != 0;
}

std::map<pid_t, ProcessRuleId> ProcessTable::matched() const {
  std::map<pid_t, ProcessRuleId> rules;
  for (const auto& [pid, tracked] : processes_) {
    if (tracked.rule() != 0) rules.emplace(pid, tracked.rule());
  }
  return rules;
}

}  // namespace nettoll
