// SPDX-License-Identifier: Apache-2.0
// Deciding whether a process is selected by a rule's `match` and
// `match-any` entries, as TrafficToll decides it for `match`.
#pragma once

#include <map>
#include <optional>
#include <string>
#include <vector>

#include "core/config.h"

namespace nettoll {

// What is known about one process, as text, the way TrafficToll sees it:
// attribute name (name, exe, cmdline joined as shlex.join does, pid,
// user, unit...) → value. Attributes that could not be read (a kernel
// thread's exe, a vanished cwd) are left out.
struct ProcessAttributes {
  std::map<std::string, std::string> values;
};

// True when every predicate of the entry matches its attribute from the start
// of the value (Python re.match). A missing attribute fails its predicate; an
// entry without predicates matches nothing.
bool entry_matches(const MatchEntry& entry, const ProcessAttributes& process);

// True when the rule selects the process: every `match` entry matches (as in
// TrafficToll) and, when the rule has `match-any` entries, at least one of
// them does. A rule without entries never matches.
bool rule_matches(const ProcessRule& rule, const ProcessAttributes& process);

// True when the process's cgroup v2 path (its `cgroup` attribute) is `scope`
// or lies below it; every process is in an empty scope. A process whose
// cgroup could not be read is outside any other scope.
bool in_cgroup_scope(const ProcessAttributes& process, const std::string& scope);

// Why a rule selected a process: the `match` entries (all of them) and the
// first `match-any` entry that matched (nullptr when the rule has none).
struct MatchReason {
  std::vector<const MatchEntry*> all;
  const MatchEntry* any = nullptr;
};

// The reason `rule` selects `process`, or nullopt when it does not.
std::optional<MatchReason> why_rule_matches(const ProcessRule& rule, const ProcessAttributes& process);

// An entry as YAML flow text, e.g. "{name: skype, exe: /opt/skype/skype}".
std::string describe_entry(const MatchEntry& entry);

// The reason as one line: "match {name: a}, {exe: /b}; match-any {user: c}".
std::string describe_reason(const MatchReason& reason);

// What a rule selects, in words: "processes matching all of {name: a},
// {exe: b} and any of {user: c}", "and their children" when recursive,
// "nothing (no match entries)" without entries.
std::string describe_selection(const ProcessRule& rule);

}  // namespace nettoll
