// SPDX-License-Identifier: Apache-2.0
#include "core/process_rule_loader.h"

#include <algorithm>
#include <array>
#include <regex>

#include "core/process_match.h"
#include "core/quota_loader.h"

namespace nettoll {
namespace {

// TrafficToll's attributes (psutil.Process methods; lists are joined as
// shlex.join does, numbers written as text) and nettoll's own, decided in the kernel.
const std::vector<std::string_view> kMatchAttributes = {
    "name", "exe",  "cmdline", "username",    "pid",         "ppid", "cwd",  "status", "terminal",
    "uids", "gids", "nice",    "num_threads", "create_time", "user", "unit", "cgroup", "container",
};
// psutil attributes TrafficToll would accept that nettoll does not read yet:
// refused, so a rule never silently selects nothing.
const std::vector<std::string_view> kUnreadAttributes = {"nice", "num_threads", "create_time"};

struct DirectionKeys {
  const char* limit;
  const char* minimum;
  const char* priority;
};
constexpr DirectionKeys kDownloadKeys{"download", "download-minimum", "download-priority"};
constexpr DirectionKeys kUploadKeys{"upload", "upload-minimum", "upload-priority"};

void add_direction_keys(ConfigNodeReader& reader, const std::string& prefix, const DirectionKeys& keys,
                        DirectionInput& input, ConfigNodeReader::Fields& fields) {
  fields.emplace_back(keys.limit, [&reader, &input, what = prefix + keys.limit](const YAML::Node& node) {
    input.limit = reader.read_rate(node, what);
  });
  fields.emplace_back(keys.minimum, [&reader, &input, what = prefix + keys.minimum](const YAML::Node& node) {
    input.minimum = reader.read_rate(node, what);
  });
  fields.emplace_back(keys.priority,
                      [&reader, &input, what = prefix + keys.priority](const YAML::Node& node) {
                        input.priority = reader.read_priority(node, what);
                      });
}

std::string quoted(const std::string& name) { return "'" + name + "'"; }

std::optional<MatchPredicate> read_predicate(ConfigNodeReader& reader, const std::string& what,
                                             const YAML::Node& key, const YAML::Node& value) {
  const std::string& attribute = key.Scalar();
  if (std::find(kMatchAttributes.begin(), kMatchAttributes.end(), attribute) == kMatchAttributes.end()) {
    const std::string suggestion = closest_key(attribute, kMatchAttributes);
    reader.error(key, what + ": unknown match attribute '" + attribute + "'" +
                          (suggestion.empty() ? "; use one of name, exe, cmdline, username, pid, ppid, cwd, "
                                                "user, unit, cgroup..."
                                              : ": did you mean '" + suggestion + "'?"));
    return std::nullopt;
  }
  if (std::find(kUnreadAttributes.begin(), kUnreadAttributes.end(), attribute) != kUnreadAttributes.end()) {
    reader.error(
        key, what + ": match attribute '" + attribute +
                 "' is not supported by nettoll yet (it is never read, so the rule would select nothing); "
                 "match by name, exe, cmdline, username, pid, ppid, cwd, status, terminal, uids, gids, "
                 "user, unit or cgroup");
    return std::nullopt;
  }
  const auto pattern = reader.read_scalar(value, what + ": match " + attribute, "a regular expression");
  if (!pattern) return std::nullopt;
  MatchPredicate predicate{attribute, *pattern, {}, mark_of(value)};
  try {
    predicate.regex = std::regex(*pattern, std::regex::ECMAScript);
  } catch (const std::regex_error& error) {
    reader.error(value, what + ": bad regex '" + *pattern + "' for " + attribute + ": " + error.what());
    return std::nullopt;
  }
  return predicate;
}

// TrafficToll reads only the first attribute of each `match` entry; nettoll
// requires all of them. Say what TrafficToll would have done.
void warn_about_extra_attributes(ConfigNodeReader& reader, const std::string& what, const MatchEntry& entry) {
  if (entry.predicates.size() < 2) return;
  const MatchPredicate& first = entry.predicates.front();
  std::string ignored, split;
  for (const MatchPredicate& predicate : entry.predicates) {
    if (&predicate != &first) ignored += (ignored.empty() ? "" : ", ") + predicate.attribute;
    split += (split.empty() ? "" : ", ") + describe_entry(MatchEntry{{predicate}, {}});
  }
  reader.warning(entry.mark,
                 what + ": this match entry has " + std::to_string(entry.predicates.size()) +
                     " attributes and nettoll requires all of them; TrafficToll used only the first (" +
                     first.attribute + ": " + first.pattern + ") and ignored " + ignored +
                     "; write one attribute per entry ([" + split +
                     "]) to say the same without this warning");
}

MatchEntry read_match_entry(ConfigNodeReader& reader, const std::string& what, const std::string& key,
                            const YAML::Node& node) {
  MatchEntry entry{{}, mark_of(node)};
  if (!node.IsMap() || node.size() == 0) {
    reader.error(node, what + ": a " + key +
                           " entry must be a map of attribute: regex, such as {name: firefox}, got " +
                           describe_node(node));
    return entry;
  }
  reader.read_named_entries(node, what + ": " + key, "attribute",
                            [&](const YAML::Node& attribute, const YAML::Node& value) {
                              if (auto predicate = read_predicate(reader, what, attribute, value))
                                entry.predicates.push_back(std::move(*predicate));
                            });
  return entry;
}

// `match:` or `match-any:` (the key), a list of entries.
std::vector<MatchEntry> read_match_list(ConfigNodeReader& reader, const std::string& what,
                                        const std::string& key, const YAML::Node& node) {
  std::vector<MatchEntry> entries;
  if (node.IsNull()) return entries;
  if (!node.IsSequence()) {
    reader.error(node, what + ": " + key + ": expected a list of entries such as '- name: firefox', got " +
                           describe_node(node));
    return entries;
  }
  for (const YAML::Node& item : node) {
    entries.push_back(read_match_entry(reader, what, key, item));
    if (key == "match") warn_about_extra_attributes(reader, what, entries.back());
  }
  return entries;
}

void check_below_global(ConfigNodeReader& reader, const std::string& what, const char* direction,
                        const DirectionInput& own, const DirectionInput& global) {
  if (!own.limit || !global.limit || own.limit->rate <= global.limit->rate) return;
  reader.error(own.limit->mark, what + ": " + direction + " " + describe_rate(*own.limit) +
                                    " is above the global " + direction + " limit " +
                                    describe_rate(*global.limit) + "; lower it or raise the global limit");
}

ProcessRule read_process_rule(ConfigNodeReader& reader, const YAML::Node& key, const YAML::Node& value,
                              const DirectionInputs& globals) {
  ProcessRule rule;
  rule.name = key.Scalar();
  rule.mark = mark_of(key);
  const std::string what = "process " + quoted(rule.name);
  DirectionInputs inputs;
  std::optional<YAML::Node> match, match_any;
  ConfigNodeReader::Fields fields;
  add_direction_fields(reader, what + ": ", inputs, fields);
  fields.emplace_back("recursive", [&](const YAML::Node& node) {
    rule.recursive = reader.read_bool(node, what + ": recursive").value_or(false);
  });
  fields.emplace_back("bulk", [&](const YAML::Node& node) {
    rule.bulk = reader.read_bool(node, what + ": bulk").value_or(false);
  });
  fields.emplace_back("quota", [&](const YAML::Node& node) {
    rule.quota = read_quota(reader, node, what + ": quota", true);
  });
  fields.emplace_back("match", [&](const YAML::Node& node) { match.emplace(node); });
  fields.emplace_back("match-any", [&](const YAML::Node& node) { match_any.emplace(node); });
  const bool is_map = reader.read_fields(value, what, "in " + what, fields);

  if (match) rule.match = read_match_list(reader, what, "match", *match);
  if (match_any) rule.match_any = read_match_list(reader, what, "match-any", *match_any);
  const auto is_list = [](const std::optional<YAML::Node>& node) {
    return !node || node->IsNull() || node->IsSequence();
  };
  if (rule.match.empty() && rule.match_any.empty() && is_map && is_list(match) && is_list(match_any)) {
    const auto& written = match && !match->IsNull() ? match : match_any;
    reader.warning(
        written && !written->IsNull() ? mark_of(*written) : rule.mark,
        what + " has no match entries: it will never match; add e.g. 'match: [{name: " + rule.name + "}]'");
  }
  check_minimum_fits(reader, what + ": ", "its", inputs);
  check_below_global(reader, what, "download", inputs.download, globals.download);
  check_below_global(reader, what, "upload", inputs.upload, globals.upload);
  rule.download = inputs.download.settings();
  rule.upload = inputs.upload.settings();
  return rule;
}

void check_direction_minimum_fits(ConfigNodeReader& reader, const std::string& prefix,
                                  const std::string& owner, const char* direction,
                                  const DirectionInput& input) {
  if (!input.limit || !input.minimum || input.minimum->rate <= input.limit->rate) return;
  reader.error(input.minimum->mark, prefix + direction + "-minimum " + describe_rate(*input.minimum) +
                                        " is above " + owner + " " + direction + " limit " +
                                        describe_rate(*input.limit) +
                                        "; lower the minimum or raise the limit");
}

}  // namespace

DirectionSettings DirectionInput::settings() const {
  DirectionSettings settings;
  if (limit) settings.limit = limit->rate;
  if (minimum) settings.minimum = minimum->rate;
  settings.priority = priority;
  return settings;
}

void add_direction_fields(ConfigNodeReader& reader, const std::string& prefix, DirectionInputs& inputs,
                          ConfigNodeReader::Fields& fields) {
  add_direction_keys(reader, prefix, kDownloadKeys, inputs.download, fields);
  add_direction_keys(reader, prefix, kUploadKeys, inputs.upload, fields);
}

void check_minimum_fits(ConfigNodeReader& reader, const std::string& prefix, const std::string& owner,
                        const DirectionInputs& inputs) {
  check_direction_minimum_fits(reader, prefix, owner, "download", inputs.download);
  check_direction_minimum_fits(reader, prefix, owner, "upload", inputs.upload);
}

std::vector<ProcessRule> read_process_rules(ConfigNodeReader& reader, const YAML::Node& node,
                                            const DirectionInputs& globals) {
  std::vector<ProcessRule> rules;
  reader.read_named_entries(node, "processes", "process",
                            [&](const YAML::Node& key, const YAML::Node& value) {
                              rules.push_back(read_process_rule(reader, key, value, globals));
                            });
  return rules;
}

}  // namespace nettoll
