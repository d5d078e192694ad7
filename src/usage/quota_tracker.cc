// SPDX-License-Identifier: Apache-2.0
#include "usage/quota_tracker.h"

#include <algorithm>

namespace nettoll {
namespace {

const char* state_name(QuotaLevel level, const QuotaThen& then) {
  switch (level) {
    case QuotaLevel::under:
      return "ok";
    case QuotaLevel::warning:
      return "warned";
    case QuotaLevel::over:
      break;
  }
  return then.block ? "blocked" : "over";
}

double percent_of(const QuotaMeasure& measure) {
  return measure.limit == 0 ? 100.0 : 100.0 * double(measure.used) / double(measure.limit);
}

}  // namespace

QuotaTracker::QuotaTracker(std::vector<ScopedQuota> quotas) {
  for (ScopedQuota& quota : quotas) quotas_.push_back({std::move(quota), std::nullopt});
}

std::vector<ScopedQuota> QuotaTracker::quotas_of(const Config& config) {
  std::vector<ScopedQuota> quotas;
  if (config.quota) quotas.push_back({"link", *config.quota});
  for (const ProcessRule& rule : config.processes) {
    if (rule.quota) quotas.push_back({rule.name, *rule.quota});
  }
  return quotas;
}

void QuotaTracker::keep_states_of(const QuotaTracker& previous) {
  for (Tracked& tracked : quotas_) {
    for (const Tracked& old : previous.quotas_) {
      if (old.quota.scope == tracked.quota.scope && old.quota.config == tracked.quota.config)
        tracked.status = old.status;
    }
  }
}

Result<QuotaTracker::Update> QuotaTracker::update(int64_t now, const UsageSource& usage) {
  std::vector<QuotaStatus> statuses;
  for (const Tracked& tracked : quotas_) {
    const PeriodSpan period = period_containing(tracked.quota.config.period, now);
    // Rows are hourly: the hour that holds the period's start counts whole.
    const UsageFilter filter{hour_of(period.begin), INT64_MAX,
                             tracked.quota.scope == "link" ? "" : tracked.quota.scope};
    auto used = usage(filter);
    if (!used) return Error{used.error()};
    statuses.push_back(evaluate_quota(tracked.quota.scope, tracked.quota.config, period, *used));
  }
  Update update;
  for (size_t i = 0; i < quotas_.size(); ++i) {
    Tracked& tracked = quotas_[i];
    if (auto message = quota_transition_message(tracked.status, statuses[i]))
      update.messages.push_back(*message);
    const bool was_over = tracked.status && tracked.status->level == QuotaLevel::over;
    const bool is_over = statuses[i].level == QuotaLevel::over;
    // The first evaluation counts as a change when over: the limits apply from the start.
    if (was_over != is_over) update.limits_changed = true;
    tracked.status = std::move(statuses[i]);
  }
  return update;
}

Config QuotaTracker::effective(const Config& config) const {
  Config result = config;
  for (const Tracked& tracked : quotas_) {
    if (!tracked.status || tracked.status->level != QuotaLevel::over) continue;
    if (tracked.quota.scope == "link") {
      apply_quota_limits(tracked.quota.config.then, result.download, result.upload);
      continue;
    }
    for (ProcessRule& rule : result.processes) {
      if (rule.name != tracked.quota.scope) continue;
      apply_quota_limits(tracked.quota.config.then, rule.download, rule.upload);
      if (tracked.quota.config.then.block) rule.blocked = true;
    }
  }
  return result;
}

std::optional<int64_t> QuotaTracker::next_reset() const {
  std::optional<int64_t> earliest;
  for (const Tracked& tracked : quotas_) {
    if (!tracked.status) continue;
    earliest = std::min(earliest.value_or(tracked.status->period.end), tracked.status->period.end);
  }
  return earliest;
}

nlohmann::json QuotaTracker::status_json() const {
  nlohmann::json list = nlohmann::json::array();
  for (const Tracked& tracked : quotas_) {
    if (!tracked.status) continue;
    nlohmann::json measures = nlohmann::json::array();
    for (const QuotaMeasure& measure : tracked.status->measures) {
      measures.push_back({{"name", measure.name},
                          {"used", measure.used},
                          {"limit", measure.limit},
                          {"remaining", measure.remaining()},
                          {"percent", percent_of(measure)}});
    }
    list.push_back({{"scope", tracked.quota.scope},
                    {"state", state_name(tracked.status->level, tracked.quota.config.then)},
                    {"period_start", tracked.status->period.begin},
                    {"resets", tracked.status->period.end},
                    {"measures", measures}});
  }
  return list;
}

std::vector<MetricFamily> QuotaTracker::metric_families() const {
  MetricFamily used{"nettoll_quota_used_bytes", "Bytes used of a quota in its current period", "gauge", {}};
  MetricFamily limit{"nettoll_quota_limit_bytes", "The size of a quota in bytes", "gauge", {}};
  MetricFamily exceeded{
      "nettoll_quota_exceeded", "1 while a quota is used up (its then applies)", "gauge", {}};
  for (const Tracked& tracked : quotas_) {
    if (!tracked.status) continue;
    for (const QuotaMeasure& measure : tracked.status->measures) {
      const std::map<std::string, std::string> labels{{"rule", tracked.quota.scope},
                                                      {"direction", measure.name}};
      used.samples.push_back({labels, double(measure.used)});
      limit.samples.push_back({labels, double(measure.limit)});
      exceeded.samples.push_back({labels, measure.used >= measure.limit ? 1.0 : 0.0});
    }
  }
  return {used, limit, exceeded};
}

}  // namespace nettoll
