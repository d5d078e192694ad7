// SPDX-License-Identifier: Apache-2.0
// LimitService: the temporary limits of `nettoll set` and the dashboard.
// `POST /v1/limits` sets an interface's rate ({"interface", "rate"}) or a
// rule's ceil in one direction ({"rule", "direction", "rate"}); `DELETE
// /v1/limits/{rule}` clears a rule's. Each change is applied at once through
// the daemon's reconciler and undone when the kernel refuses it; a reload
// forgets them all.
#pragma once

#include <functional>
#include <nlohmann/json.hpp>
#include <optional>
#include <string>

#include "api/router.h"
#include "core/config.h"
#include "core/result.h"
#include "core/rule_limit_overrides.h"
#include "daemon/interface_limit_overrides.h"

namespace nettoll {

class LimitService {
 public:
  // `config` is the config in force; `apply` makes the kernel match it with
  // the overrides (the daemon's follow_link), naming the trigger.
  LimitService(std::function<const Config&()> config, std::function<Result<void>(const std::string&)> apply)
      : config_(std::move(config)), apply_(std::move(apply)) {}

  // POST /v1/limits and DELETE /v1/limits/{rule}.
  void register_routes(Router& router);

  // `config` with every override in place.
  Config apply(const Config& config) const { return rules_.apply(interfaces_.apply(config)); }

  // Everything set so far, to put back when a reload fails.
  struct Overrides {
    InterfaceLimitOverrides interfaces;
    RuleLimitOverrides rules;
  };
  Overrides overrides() const { return {interfaces_, rules_}; }
  void restore(Overrides overrides);
  void clear();

  // For /v1/status: "limit_overrides" (interfaces) and "rules" (each
  // configured rule with its "override", {"download": "5mbit"} or {}).
  void add_status(nlohmann::json& report) const;

 private:
  ApiResponse set_limit(const ApiRequest& request);
  ApiResponse clear_rule(const std::string& rule);
  // Applies the overrides; on failure puts `previous` back and says so.
  std::optional<ApiResponse> apply_or_undo(const Overrides& previous, const std::string& why);

  std::function<const Config&()> config_;
  std::function<Result<void>(const std::string&)> apply_;
  InterfaceLimitOverrides interfaces_;
  RuleLimitOverrides rules_;
};

}  // namespace nettoll
