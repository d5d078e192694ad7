// Deciding whether a process is selected by a rule's `match` entries.
#pragma once

#include <map>
#include <string>

#include "core/config.h"

namespace nettoll {

// What is known about one process, as text: attribute name (name, exe,
// cmdline joined with spaces, pid, user, unit...) → value. Attributes that
// could not be read (a kernel thread's exe, a vanished cwd) are left out.
struct ProcessAttributes {
  std::map<std::string, std::string> values;
};

// True when every predicate of the entry matches its attribute from the start
// of the value (Python re.match). A missing attribute fails its predicate; an
// entry without predicates matches nothing.
bool entry_matches(const MatchEntry& entry, const ProcessAttributes& process);

// True when any of the rule's entries matches. A rule without entries never
// matches.
bool rule_matches(const ProcessRule& rule, const ProcessAttributes& process);

}  // namespace nettoll
