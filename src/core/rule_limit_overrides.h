// SPDX-License-Identifier: Apache-2.0
// Rule limits changed at run time (`nettoll set RULE download|upload RATE`,
// `POST /v1/limits {"rule": ...}`, the dashboard): a temporary ceil on the
// rule's class in one direction, until the next reload or until cleared.
// Pure: the daemon plans the overridden config as any other.
#pragma once

#include <map>
#include <nlohmann/json.hpp>
#include <optional>
#include <string>

#include "core/config.h"
#include "core/rate.h"
#include "core/result.h"

namespace nettoll {

class RuleLimitOverrides {
 public:
  // Reads a `POST /v1/limits` body {"rule": NAME, "direction":
  // "download"|"upload", "rate": "5mbit"} and records the override. Fails,
  // recording nothing, on unknown or mistyped fields, a rule `config` does
  // not have, a bad direction or rate, or a rate above the global limit.
  Result<void> set_from_request(const nlohmann::json& body, const Config& config);

  // Forgets `rule`'s overrides; fails when it has none.
  Result<void> clear_rule(const std::string& rule);

  // `config` with the overridden ceils in place (rules the config no longer
  // has are skipped).
  Config apply(const Config& config) const;

  // Forgets every override (a reload brings the config's values back).
  void clear() { overrides_.clear(); }

  // {"download": "5mbit"} for `rule` (empty when it has none).
  nlohmann::json to_json(const std::string& rule) const;

 private:
  struct Override {
    Rate rate;
    std::string text;  // as the user wrote it
  };
  struct RuleOverride {
    std::optional<Override> download;
    std::optional<Override> upload;
  };
  std::map<std::string, RuleOverride> overrides_;
};

}  // namespace nettoll
