// SPDX-License-Identifier: Apache-2.0
#include "daemon/stats_history.h"

#include <spdlog/spdlog.h>

#include <chrono>

namespace nettoll {

Result<void> StatsHistory::start() { return schedule(); }

Result<void> StatsHistory::schedule() {
  return loop_.after("stats-history", std::chrono::milliseconds(RateHistory::kIntervalMs), [this] {
    sample();
    if (auto scheduled = schedule(); !scheduled) spdlog::error("rate history stopped: {}", scheduled.error());
  });
}

void StatsHistory::sample() {
  const auto now = std::chrono::duration_cast<std::chrono::milliseconds>(
      std::chrono::system_clock::now().time_since_epoch());
  history_.add(rate_sample(
      now.count(), applied_(), [this](const std::string& key) { return accounting_.class_rate(key); },
      accounting_.per_process() ? accounting_.ledger().processes() : std::vector<ProcessUsage>{}));
}

void StatsHistory::register_routes(Router& router) {
  router.add("GET", "/v1/stats/history", [this](const ApiRequest& request) {
    std::optional<int64_t> since;
    if (auto it = request.query.find("since"); it != request.query.end()) {
      auto parsed = parse_since_ms(it->second);
      if (!parsed) return api_error(400, parsed.error());
      since = *parsed;
    }
    return ApiResponse{200, history_json(history_.since(since))};
  });
}

}  // namespace nettoll
