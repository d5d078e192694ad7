// SPDX-License-Identifier: Apache-2.0
// TrafficStats: the `GET /v1/stats` and `GET /metrics` endpoints. Per
// process (pid, name, user, rule, rates, totals) from Accounting while the
// eBPF path counts; per rule from it too, or from the HTB classes' counters
// on the u32 fallback (which has no per-process figures); per class: rate,
// ceil, current rate, drops, backlog, overlimits. /metrics is the same
// document in Prometheus text, plus the families other components add.
// The document is made once per accounting sample (or plan, interface or
// classifier change) and shared by every reader until then: all it shows
// comes from that sample, so a second reader in the same second would only
// read /proc again for the same answer.
#pragma once

#include <functional>
#include <nlohmann/json.hpp>
#include <string>
#include <vector>

#include "api/router.h"
#include "core/active_interface.h"
#include "core/plan.h"
#include "core/prometheus_text.h"
#include "core/snapshot_cache.h"
#include "daemon/accounting.h"

namespace nettoll {

class TrafficStats {
 public:
  struct Sources {
    std::function<const Plan&()> applied;       // the plan in the kernel
    std::function<uint64_t()> applied_version;  // changes whenever `applied` does
    std::function<InterfaceChoice()> link;      // the managed interface and why
    std::function<std::string()> classifier;    // "bpf", "u32" or "none"
  };

  TrafficStats(const Accounting& accounting, Sources sources)
      : accounting_(accounting), sources_(std::move(sources)) {}

  // GET /v1/stats and GET /metrics.
  void register_routes(Router& router);

  // More families for /metrics (e.g. quotas); called on every scrape.
  void add_metrics(std::function<std::vector<MetricFamily>()> source) {
    metric_sources_.push_back(std::move(source));
  }

  // The /v1/stats document (kept until the next sample; see above).
  const nlohmann::json& stats() { return snapshot().document; }

 private:
  // What the document is made of, as far as it can change between samples.
  struct Inputs {
    uint64_t samples = 0;
    uint64_t applied_version = 0;
    std::string interface;
    std::string reason;
    std::string classifier;
    bool operator==(const Inputs&) const = default;
  };
  struct Snapshot {
    nlohmann::json document;
    std::string text;  // document.dump(), what /v1/stats sends
  };

  const Snapshot& snapshot();
  nlohmann::json make_stats(const InterfaceChoice& link, const std::string& path) const;
  nlohmann::json classes() const;
  nlohmann::json processes() const;

  const Accounting& accounting_;
  Sources sources_;
  SnapshotCache<Inputs, Snapshot> cache_;
  std::vector<std::function<std::vector<MetricFamily>()>> metric_sources_;
};

}  // namespace nettoll
