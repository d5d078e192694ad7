// SPDX-License-Identifier: Apache-2.0
#include "core/match_report.h"

#include <fmt/format.h>

#include "core/container_engine_names.h"
#include "core/process_match.h"

namespace nettoll {
namespace {

std::string value_of(const ProcessAttributes& attributes, const std::string& name) {
  const auto found = attributes.values.find(name);
  return found == attributes.values.end() ? "" : found->second;
}

SelectedProcess selected(const ScannedProcess& process, std::string matched) {
  const ProcessAttributes& attributes = process.attributes;
  return SelectedProcess{process.pid,
                         process.ppid,
                         value_of(attributes, "name"),
                         value_of(attributes, "exe"),
                         value_of(attributes, "username"),
                         value_of(attributes, "container"),
                         value_of(attributes, kContainerNameAttribute),
                         std::move(matched)};
}

// " in container plex (3f2a6b0c1d9e)", or "" outside containers.
std::string container_phrase(const SelectedProcess& process) {
  if (process.container.empty()) return "";
  const std::string id = process.container.size() == 64 ? process.container.substr(0, 12) : process.container;
  if (process.container_name.empty()) return " in container " + id;
  return " in container " + process.container_name + " (" + id + ")";
}

std::vector<std::string> rules_selecting_nothing(const MatchReport& report) {
  std::vector<std::string> names;
  for (const RuleSelection& rule : report.rules) {
    if (rule.matched.empty() && rule.children.empty()) names.push_back(rule.rule);
  }
  return names;
}

std::string or_dash(const std::string& text) { return text.empty() ? "-" : text; }

nlohmann::json process_to_json(const SelectedProcess& process) {
  nlohmann::json json{{"pid", process.pid},
                      {"ppid", process.ppid},
                      {"name", process.name},
                      {"exe", process.exe},
                      {"user", process.user}};
  if (!process.container.empty()) json["container"] = process.container;
  if (!process.container_name.empty()) json["container_name"] = process.container_name;
  if (!process.matched.empty()) json["matched"] = process.matched;
  return json;
}

}  // namespace

std::set<std::string> match_report_attributes(const std::vector<ProcessRule>& rules) {
  std::set<std::string> attributes = attributes_used(rules);
  attributes.insert({"name", "exe", "username", "container"});
  return attributes;
}

MatchReport make_match_report(const std::vector<ProcessRule>& rules,
                              const std::vector<ScannedProcess>& processes) {
  MatchReport report;
  report.scanned = processes.size();
  for (const ProcessRule& rule : rules) report.rules.push_back({rule.name, describe_selection(rule), {}, {}});
  ProcessTable table(rules);
  (void)table.on_scan(processes);
  for (const ScannedProcess& process : processes) {
    const ProcessRuleId id = table.rule_of(process.pid);
    if (id == 0 || id > rules.size()) continue;
    RuleSelection& selection = report.rules[id - 1];
    if (table.inherited(process.pid)) {
      selection.children.push_back(selected(process, ""));
    } else if (const auto reason = why_rule_matches(rules[id - 1], process.attributes)) {
      selection.matched.push_back(selected(process, describe_reason(*reason)));
    }
  }
  return report;
}

std::string format_match_report(const MatchReport& report) {
  std::string out;
  for (const RuleSelection& rule : report.rules) {
    out += fmt::format("rule '{}': {}\n", rule.rule, rule.selects);
    if (rule.matched.empty() && rule.children.empty()) out += "  selects no running process\n";
    for (const SelectedProcess& process : rule.matched) {
      out += fmt::format("  {:>7}  {:<16} {:<10} {}{}  ({})\n", process.pid, or_dash(process.name),
                         or_dash(process.user), or_dash(process.exe), container_phrase(process),
                         process.matched);
    }
    for (const SelectedProcess& process : rule.children) {
      out += fmt::format("  {:>7}  {:<16} {:<10} {}{}  (child of {}, recursive)\n", process.pid,
                         or_dash(process.name), or_dash(process.user), or_dash(process.exe),
                         container_phrase(process), process.ppid);
    }
  }
  const std::vector<std::string> nothing = rules_selecting_nothing(report);
  if (!nothing.empty()) {
    out += fmt::format("{} of {} rule(s) select nothing now:", nothing.size(), report.rules.size());
    for (const std::string& name : nothing) out += " '" + name + "'";
    out += "\n";
  }
  out += fmt::format("({} processes scanned)\n", report.scanned);
  return out;
}

nlohmann::json match_report_to_json(const MatchReport& report) {
  nlohmann::json rules = nlohmann::json::array();
  for (const RuleSelection& rule : report.rules) {
    nlohmann::json matched = nlohmann::json::array();
    nlohmann::json children = nlohmann::json::array();
    for (const SelectedProcess& process : rule.matched) matched.push_back(process_to_json(process));
    for (const SelectedProcess& process : rule.children) children.push_back(process_to_json(process));
    rules.push_back(
        {{"rule", rule.rule}, {"selects", rule.selects}, {"matched", matched}, {"children", children}});
  }
  return {
      {"scanned", report.scanned}, {"rules", rules}, {"selecting_nothing", rules_selecting_nothing(report)}};
}

}  // namespace nettoll
