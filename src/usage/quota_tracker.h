// SPDX-License-Identifier: Apache-2.0
// QuotaTracker: the quotas of a config (the link's and each rule's), their
// state at a moment, and what they change: the log lines, the limits that
// apply while over, and when the next period lifts them. Pure: usage comes
// from a function (the recorder's database + live bytes), time as an argument.
#pragma once

#include <cstdint>
#include <functional>
#include <nlohmann/json.hpp>
#include <optional>
#include <string>
#include <vector>

#include "core/config.h"
#include "core/prometheus_text.h"
#include "usage/quota.h"

namespace nettoll {

// A quota and whose it is: "link" for the top-level one, else the rule's name.
struct ScopedQuota {
  std::string scope;
  QuotaConfig config;
};

class QuotaTracker {
 public:
  using UsageSource = std::function<Result<UsageBucket>(const UsageFilter&)>;

  struct Update {
    std::vector<std::string> messages;  // a line for each quota whose state changed
    bool limits_changed = false;        // some quota went over or was lifted: re-plan
  };

  explicit QuotaTracker(std::vector<ScopedQuota> quotas);
  // The quotas of `config`: the link's ("link"), then each rule's.
  static std::vector<ScopedQuota> quotas_of(const Config& config);

  // Takes over the states of `previous`'s quotas that this one has
  // unchanged (same scope and settings), so a reload neither repeats a
  // warning nor lifts limits until the next update.
  void keep_states_of(const QuotaTracker& previous);

  // Re-evaluates every quota at Unix time `now`. Fails with the usage
  // source's error (states are then kept as they were).
  Result<Update> update(int64_t now, const UsageSource& usage);
  // `config` with the `then` limits of every quota that is over, and
  // `blocked` set on the rules whose quota is over with `then: block`.
  Config effective(const Config& config) const;
  // The earliest end of a current period: where a timer lifts quotas by
  // itself. nullopt without quotas or before the first update().
  std::optional<int64_t> next_reset() const;
  // Each quota's use, remaining bytes and reset time, for /v1/status:
  // [{"scope", "state", "period_start", "resets",
  //   "measures": [{"name", "used", "limit", "remaining", "percent"}]}];
  // state is ok, warned, over (the `then` limits apply) or blocked.
  nlohmann::json status_json() const;
  // nettoll_quota_used_bytes, nettoll_quota_limit_bytes and
  // nettoll_quota_exceeded, labelled {rule (the scope), direction (the
  // measure: total, download, upload)}.
  std::vector<MetricFamily> metric_families() const;
  bool empty() const { return quotas_.empty(); }

 private:
  struct Tracked {
    ScopedQuota quota;
    std::optional<QuotaStatus> status;
  };
  std::vector<Tracked> quotas_;
};

}  // namespace nettoll
