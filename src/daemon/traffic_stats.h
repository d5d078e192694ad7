// SPDX-License-Identifier: Apache-2.0
// TrafficStats: the `GET /v1/stats` and `GET /metrics` endpoints. Per
// process (pid, name, user, rule, rates, totals) from Accounting while the
// eBPF path counts; per rule from it too, or from the HTB classes' counters
// on the u32 fallback (which has no per-process figures); per class: rate,
// ceil, current rate, drops, backlog, overlimits. /metrics is the same
// document in Prometheus text, plus the families other components add.
#pragma once

#include <functional>
#include <nlohmann/json.hpp>
#include <string>
#include <vector>

#include "api/router.h"
#include "core/active_interface.h"
#include "core/plan.h"
#include "core/prometheus_text.h"
#include "daemon/accounting.h"
#include "kernel/netlink_socket.h"

namespace nettoll {

class TrafficStats {
 public:
  struct Sources {
    std::function<const Plan&()> applied;     // the plan in the kernel
    std::function<InterfaceChoice()> link;    // the managed interface and why
    std::function<std::string()> classifier;  // "bpf", "u32" or "none"
  };

  TrafficStats(const Accounting& accounting, NetlinkSocket& socket, Sources sources)
      : accounting_(accounting), socket_(socket), sources_(std::move(sources)) {}

  // GET /v1/stats and GET /metrics.
  void register_routes(Router& router);

  // More families for /metrics (e.g. quotas); called on every scrape.
  void add_metrics(std::function<std::vector<MetricFamily>()> source) {
    metric_sources_.push_back(std::move(source));
  }

  // The /v1/stats document.
  nlohmann::json stats();

 private:
  nlohmann::json classes();
  nlohmann::json processes() const;

  const Accounting& accounting_;
  NetlinkSocket& socket_;
  Sources sources_;
  std::vector<std::function<std::vector<MetricFamily>()>> metric_sources_;
};

}  // namespace nettoll
