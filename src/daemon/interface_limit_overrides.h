// SPDX-License-Identifier: Apache-2.0
// Interface limits changed at run time (`nettoll set IF rate RATE`, `POST
// /v1/limits`): they override the config's `interfaces:` rates until the next
// reload. Pure: the daemon applies the overridden config as any other.
#pragma once

#include <map>
#include <nlohmann/json.hpp>
#include <string>

#include "core/config.h"
#include "core/rate.h"
#include "core/result.h"

namespace nettoll {

class InterfaceLimitOverrides {
 public:
  // Reads a `POST /v1/limits` body {"interface": NAME, "rate": "5mbit"} and
  // records the override. Fails, recording nothing, on unknown or mistyped
  // fields, a bad rate, or an interface `config` does not list.
  Result<void> set_from_request(const nlohmann::json& body, const Config& config);

  // `config` with the overridden rates in place.
  Config apply(const Config& config) const;

  // Forgets every override (a reload brings the config's values back).
  void clear() { rates_.clear(); }

  // {"wg0": {"rate_bps": 5000000, "config_rate_bps": 1000000}} for status.
  nlohmann::json to_json(const Config& config) const;

 private:
  std::map<std::string, Rate> rates_;
};

}  // namespace nettoll
