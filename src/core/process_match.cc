#include "core/process_match.h"

#include <algorithm>
#include <regex>

namespace nettoll {
namespace {

bool predicate_matches(const MatchPredicate& predicate, const ProcessAttributes& process) {
  const auto found = process.values.find(predicate.attribute);
  if (found == process.values.end()) return false;
  // match_continuous anchors the match at the start only, like Python's
  // re.match: "fire" selects "firefox"; a trailing "$" anchors the end too.
  return std::regex_search(found->second, predicate.regex, std::regex_constants::match_continuous);
}

}  // namespace

bool entry_matches(const MatchEntry& entry, const ProcessAttributes& process) {
  if (entry.predicates.empty()) return false;
  return std::all_of(entry.predicates.begin(), entry.predicates.end(),
                     [&](const MatchPredicate& predicate) { return predicate_matches(predicate, process); });
}

bool rule_matches(const ProcessRule& rule, const ProcessAttributes& process) {
  return std::any_of(rule.match.begin(), rule.match.end(),
                     [&](const MatchEntry& entry) { return entry_matches(entry, process); });
}

}  // namespace nettoll
