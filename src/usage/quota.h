// SPDX-License-Identifier: Apache-2.0
// Quotas: a period's usage against its sizes, the state that follows (under,
// warning, over), the limits that apply while over, and the log line of each
// change of state. Pure: usage and period come in as values.
#pragma once

#include <cstdint>
#include <optional>
#include <string>
#include <vector>

#include "core/config.h"
#include "core/quota_config.h"
#include "core/rate.h"
#include "usage/quota_period.h"
#include "usage/usage_store.h"

namespace nettoll {

enum class QuotaLevel { under, warning, over };

// One size of a quota and its use.
struct QuotaMeasure {
  std::string name;  // "total", "download" or "upload"
  uint64_t used = 0;
  uint64_t limit = 0;
  uint64_t remaining() const { return used < limit ? limit - used : 0; }
};

struct QuotaStatus {
  std::string scope;  // "link" for the top-level quota, else the rule's name
  PeriodSpan period;  // the quota resets at period.end
  std::vector<QuotaMeasure> measures;
  QuotaLevel level = QuotaLevel::under;
};

// The status of `quota` over `period` after `used` bytes. Over when any size
// is reached; warning when any is at or past warn-at.
QuotaStatus evaluate_quota(const std::string& scope, const QuotaConfig& quota, const PeriodSpan& period,
                           const UsageBucket& used);

// The limits of one rule (or of the link) while its quota is over: each
// direction's ceiling becomes the lower of its own and `then`'s. (`block` is
// for the classifier, not for these limits.)
void apply_quota_limits(const QuotaThen& then, DirectionSettings& download, DirectionSettings& upload);

// The log line for going from `before` (nullopt: nothing known yet) to
// `now`, or nullopt when nothing worth saying changed. A new period that
// lifts an over or warning state says so.
std::optional<std::string> quota_transition_message(const std::optional<QuotaStatus>& before,
                                                    const QuotaStatus& now);

// "link quota: 41.0 GB of 50.0 GB total used, 9.00 GB left, resets 2027-01-01 00:00"
std::string describe_quota(const QuotaStatus& status);

}  // namespace nettoll
