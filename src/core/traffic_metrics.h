// SPDX-License-Identifier: Apache-2.0
// The traffic part of /metrics: the families issue 14 names, built from the
// /v1/stats document (see daemon/traffic_stats.h), so the endpoint and the
// JSON never disagree. Labels are device, direction, rule and process name
// only (never PIDs, ports or addresses); names are bounded to the top
// kMaxMetricNames by total plus "other".
#pragma once

#include <nlohmann/json.hpp>
#include <string>
#include <vector>

#include "core/prometheus_text.h"

namespace nettoll {

inline constexpr size_t kMaxMetricNames = 50;

// The families for `stats` (a /v1/stats document) and build `version`.
std::vector<MetricFamily> traffic_metrics(const nlohmann::json& stats, const std::string& version);

}  // namespace nettoll
