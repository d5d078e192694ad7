// SPDX-License-Identifier: Apache-2.0
#include "core/process_match.h"

#include <algorithm>
#include <regex>

#include "core/container_engine_names.h"

namespace nettoll {
namespace {

bool attribute_matches(const MatchPredicate& predicate, const ProcessAttributes& process,
                       const std::string& attribute) {
  const auto found = process.values.find(attribute);
  if (found == process.values.end()) return false;
  // match_continuous anchors the match at the start only, like Python's
  // re.match: "fire" selects "firefox"; a trailing "$" anchors the end too.
  return std::regex_search(found->second, predicate.regex, std::regex_constants::match_continuous);
}

bool predicate_matches(const MatchPredicate& predicate, const ProcessAttributes& process) {
  if (attribute_matches(predicate, process, predicate.attribute)) return true;
  // `container:` is the container's id or, where the engine told it, its name.
  return predicate.attribute == "container" && attribute_matches(predicate, process, kContainerNameAttribute);
}

std::string join_entries(const std::vector<const MatchEntry*>& entries) {
  std::string text;
  for (const MatchEntry* entry : entries) text += (text.empty() ? "" : ", ") + describe_entry(*entry);
  return text;
}

std::vector<const MatchEntry*> pointers_to(const std::vector<MatchEntry>& entries) {
  std::vector<const MatchEntry*> pointers;
  pointers.reserve(entries.size());
  for (const MatchEntry& entry : entries) pointers.push_back(&entry);
  return pointers;
}

}  // namespace

bool entry_matches(const MatchEntry& entry, const ProcessAttributes& process) {
  if (entry.predicates.empty()) return false;
  return std::all_of(entry.predicates.begin(), entry.predicates.end(),
                     [&](const MatchPredicate& predicate) { return predicate_matches(predicate, process); });
}

bool rule_matches(const ProcessRule& rule, const ProcessAttributes& process) {
  if (rule.match.empty() && rule.match_any.empty()) return false;
  const auto matches = [&](const MatchEntry& entry) { return entry_matches(entry, process); };
  return std::all_of(rule.match.begin(), rule.match.end(), matches) &&
         (rule.match_any.empty() || std::any_of(rule.match_any.begin(), rule.match_any.end(), matches));
}

std::optional<MatchReason> why_rule_matches(const ProcessRule& rule, const ProcessAttributes& process) {
  if (!rule_matches(rule, process)) return std::nullopt;
  MatchReason reason{pointers_to(rule.match), nullptr};
  const auto any = std::find_if(rule.match_any.begin(), rule.match_any.end(),
                                [&](const MatchEntry& entry) { return entry_matches(entry, process); });
  if (any != rule.match_any.end()) reason.any = &*any;
  return reason;
}

std::string describe_entry(const MatchEntry& entry) {
  std::string text = "{";
  for (const MatchPredicate& predicate : entry.predicates) {
    text += (text.size() > 1 ? ", " : "") + predicate.attribute + ": " + predicate.pattern;
  }
  return text + "}";
}

std::string describe_reason(const MatchReason& reason) {
  std::string text;
  if (!reason.all.empty()) text = "match " + join_entries(reason.all);
  if (reason.any)
    text += (text.empty() ? "" : "; ") + std::string("match-any ") + describe_entry(*reason.any);
  return text;
}

std::string describe_selection(const ProcessRule& rule) {
  if (rule.match.empty() && rule.match_any.empty()) return "nothing (no match entries)";
  std::string text = "processes matching";
  if (!rule.match.empty()) text += " all of " + join_entries(pointers_to(rule.match));
  if (!rule.match.empty() && !rule.match_any.empty()) text += " and";
  if (!rule.match_any.empty()) text += " any of " + join_entries(pointers_to(rule.match_any));
  return rule.recursive ? text + ", and their children" : text;
}

bool in_cgroup_scope(const ProcessAttributes& process, const std::string& scope) {
  if (scope.empty() || scope == "/") return true;
  const auto cgroup = process.values.find("cgroup");
  if (cgroup == process.values.end()) return false;
  const std::string& path = cgroup->second;
  return path.starts_with(scope) && (path.size() == scope.size() || path[scope.size()] == '/');
}

}  // namespace nettoll
