// SPDX-License-Identifier: Apache-2.0
#include "daemon/limit_service.h"

#include <spdlog/spdlog.h>

namespace nettoll {

void LimitService::register_routes(Router& router) {
  router.add("POST", "/v1/limits", [this](const ApiRequest& request) { return set_limit(request); });
  router.add("DELETE", "/v1/limits/{rule}",
             [this](const ApiRequest& request) { return clear_rule(request.params.at("rule")); });
}

void LimitService::restore(Overrides overrides) {
  interfaces_ = std::move(overrides.interfaces);
  rules_ = std::move(overrides.rules);
}

void LimitService::clear() {
  interfaces_.clear();
  rules_.clear();
}

std::optional<ApiResponse> LimitService::apply_or_undo(const Overrides& previous, const std::string& why) {
  auto applied = apply_(why);
  if (applied) return std::nullopt;
  restore(previous);
  if (auto restored = apply_(why + " undone"); !restored) spdlog::error("{}", restored.error());
  return api_error(500, "limit not changed: " + applied.error());
}

// A rate change of a tbf or an HTB class is a netlink change in place: no
// flush, no reset of the queues.
ApiResponse LimitService::set_limit(const ApiRequest& request) {
  const Overrides previous = overrides();
  const bool for_rule = request.body.is_object() && request.body.contains("rule");
  auto set = for_rule ? rules_.set_from_request(request.body, config_())
                      : interfaces_.set_from_request(request.body, config_());
  if (!set) return api_error(400, set.error());
  if (auto refused = apply_or_undo(previous, "POST /v1/limits")) return *refused;
  if (!for_rule) return ApiResponse{200, {{"overrides", interfaces_.to_json(config_())}}};
  const nlohmann::json& body = request.body;
  spdlog::info("rule {}: {} limit {} until the next reload", body["rule"].get<std::string>(),
               body["direction"].get<std::string>(), body["rate"].get<std::string>());
  return ApiResponse{200, {{"rule", body["rule"]}, {"direction", body["direction"]}, {"rate", body["rate"]}}};
}

ApiResponse LimitService::clear_rule(const std::string& rule) {
  const Overrides previous = overrides();
  if (auto cleared = rules_.clear_rule(rule); !cleared) return api_error(404, cleared.error());
  if (auto refused = apply_or_undo(previous, "DELETE /v1/limits")) return *refused;
  spdlog::info("rule {}: temporary limits cleared, the config's apply", rule);
  return ApiResponse{200, {{"rule", rule}, {"override", rules_.to_json(rule)}}};
}

void LimitService::add_status(nlohmann::json& report) const {
  report["limit_overrides"] = interfaces_.to_json(config_());
  nlohmann::json rules = nlohmann::json::object();
  for (const ProcessRule& rule : config_().processes)
    rules[rule.name] = {{"override", rules_.to_json(rule.name)}};
  report["rules"] = std::move(rules);
}

}  // namespace nettoll
