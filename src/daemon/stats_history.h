// SPDX-License-Identifier: Apache-2.0
// StatsHistory: `GET /v1/stats/history?since=UNIX_MS`, the last 10 minutes
// of rates for the dashboard's charts, sampled once a second on the loop
// from the accounting's class and process rates (core/rate_history.h).
#pragma once

#include <functional>

#include "api/router.h"
#include "core/plan.h"
#include "core/rate_history.h"
#include "daemon/accounting.h"
#include "daemon/event_loop.h"

namespace nettoll {

class StatsHistory {
 public:
  StatsHistory(EventLoop& loop, const Accounting& accounting, std::function<const Plan&()> applied)
      : loop_(loop), accounting_(accounting), applied_(std::move(applied)) {}

  // Starts the once-a-second sampling. Fails when the timer cannot be set.
  Result<void> start();

  // GET /v1/stats/history.
  void register_routes(Router& router);

  // Takes one sample now (the timer calls it every second).
  void sample();

 private:
  Result<void> schedule();

  EventLoop& loop_;
  const Accounting& accounting_;
  std::function<const Plan&()> applied_;
  RateHistory history_;
};

}  // namespace nettoll
