// SPDX-License-Identifier: Apache-2.0
#include "core/rule_limit_overrides.h"

#include <algorithm>

#include "core/json_fields.h"

namespace nettoll {
namespace {

const ProcessRule* find_rule(const Config& config, const std::string& name) {
  auto it = std::find_if(config.processes.begin(), config.processes.end(),
                         [&](const ProcessRule& rule) { return rule.name == name; });
  return it == config.processes.end() ? nullptr : &*it;
}

}  // namespace

Result<void> RuleLimitOverrides::set_from_request(const nlohmann::json& body, const Config& config) {
  if (auto known = check_known_fields(body, {"rule", "direction", "rate"}); !known)
    return Error{known.error()};
  auto name = required_string_field(body, "rule");
  if (!name) return Error{name.error()};
  auto direction = required_string_field(body, "direction");
  if (!direction) return Error{direction.error()};
  auto text = required_string_field(body, "rate");
  if (!text) return Error{text.error()};
  if (!find_rule(config, *name)) {
    return Error{"rule '" + *name + "' is not under processes: in the config"};
  }
  if (*direction != "download" && *direction != "upload") {
    return Error{"direction: expected \"download\" or \"upload\", got \"" + *direction + "\""};
  }
  auto rate = parse_rate(*text);
  if (!rate) return Error{"rate: " + rate.error()};
  const bool download = *direction == "download";
  const std::optional<Rate>& global = download ? config.download.limit : config.upload.limit;
  if (global && *rate > *global) {
    return Error{"rate: " + *text + " is above the global " + *direction + " limit " + format_rate(*global)};
  }
  RuleOverride& entry = overrides_[*name];
  (download ? entry.download : entry.upload) = Override{*rate, *text};
  return success();
}

Result<void> RuleLimitOverrides::clear_rule(const std::string& rule) {
  if (overrides_.erase(rule) == 0) return Error{"rule '" + rule + "' has no temporary limit"};
  return success();
}

Config RuleLimitOverrides::apply(const Config& config) const {
  Config overridden = config;
  for (ProcessRule& rule : overridden.processes) {
    auto it = overrides_.find(rule.name);
    if (it == overrides_.end()) continue;
    if (it->second.download) rule.download.limit = it->second.download->rate;
    if (it->second.upload) rule.upload.limit = it->second.upload->rate;
  }
  return overridden;
}

nlohmann::json RuleLimitOverrides::to_json(const std::string& rule) const {
  nlohmann::json json = nlohmann::json::object();
  auto it = overrides_.find(rule);
  if (it == overrides_.end()) return json;
  if (it->second.download) json["download"] = it->second.download->text;
  if (it->second.upload) json["upload"] = it->second.upload->text;
  return json;
}

}  // namespace nettoll
