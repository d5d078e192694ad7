// SPDX-License-Identifier: Apache-2.0
#include "daemon/interface_limit_overrides.h"

#include "core/json_fields.h"

namespace nettoll {
namespace {

const InterfaceLimit* find_limit(const Config& config, const std::string& name) {
  for (const InterfaceLimit& limit : config.interfaces) {
    if (limit.name == name) return &limit;
  }
  return nullptr;
}

}  // namespace

Result<void> InterfaceLimitOverrides::set_from_request(const nlohmann::json& body, const Config& config) {
  if (auto known = check_known_fields(body, {"interface", "rate"}); !known) return Error{known.error()};
  auto name = required_string_field(body, "interface");
  if (!name) return Error{name.error()};
  auto text = required_string_field(body, "rate");
  if (!text) return Error{text.error()};
  if (!find_limit(config, *name)) {
    return Error{"interface '" + *name +
                 "' has no limit under interfaces: in the config; add one there first"};
  }
  auto rate = parse_rate(*text);
  if (!rate) return Error{"rate: " + rate.error()};
  rates_[*name] = *rate;
  return success();
}

Config InterfaceLimitOverrides::apply(const Config& config) const {
  Config overridden = config;
  for (InterfaceLimit& limit : overridden.interfaces) {
    if (auto it = rates_.find(limit.name); it != rates_.end()) limit.rate = it->second;
  }
  return overridden;
}

nlohmann::json InterfaceLimitOverrides::to_json(const Config& config) const {
  nlohmann::json json = nlohmann::json::object();
  for (const auto& [name, rate] : rates_) {
    const InterfaceLimit* limit = find_limit(config, name);
    json[name] = {{"rate_bps", rate.bits_per_second()},
                  {"config_rate_bps", limit ? limit->rate.bits_per_second() : 0}};
  }
  return json;
}

}  // namespace nettoll
