// SPDX-License-Identifier: Apache-2.0
#include "usage/quota.h"

#include <fmt/format.h>

#include "core/data_size.h"

namespace nettoll {
namespace {

std::string local_time_text(int64_t seconds) { return format_local_time(seconds, "%Y-%m-%d %H:%M"); }

std::string scope_name(const QuotaStatus& status) {
  return status.scope == "link" ? "link quota" : "quota of rule '" + status.scope + "'";
}

std::string measures_text(const QuotaStatus& status) {
  std::string text;
  for (const QuotaMeasure& measure : status.measures) {
    if (!text.empty()) text += "; ";
    text += fmt::format("{} of {} {} used, {} left", format_data_size(measure.used),
                        format_data_size(measure.limit), measure.name, format_data_size(measure.remaining()));
  }
  return text;
}

}  // namespace

QuotaStatus evaluate_quota(const std::string& scope, const QuotaConfig& quota, const PeriodSpan& period,
                           const UsageBucket& used) {
  QuotaStatus status{scope, period, {}, QuotaLevel::under};
  if (quota.total) status.measures.push_back({"total", used.total(), *quota.total});
  if (quota.download) status.measures.push_back({"download", used.download, *quota.download});
  if (quota.upload) status.measures.push_back({"upload", used.upload, *quota.upload});
  for (const QuotaMeasure& measure : status.measures) {
    if (measure.used >= measure.limit) {
      status.level = QuotaLevel::over;
    } else if (quota.warn_at &&
               static_cast<double>(measure.used) >= *quota.warn_at * static_cast<double>(measure.limit) &&
               status.level == QuotaLevel::under) {
      status.level = QuotaLevel::warning;
    }
  }
  return status;
}

void apply_quota_limits(const QuotaThen& then, DirectionSettings& download, DirectionSettings& upload) {
  auto lower = [](std::optional<Rate>& ceiling, const std::optional<Rate>& over) {
    if (over && (!ceiling || *over < *ceiling)) ceiling = over;
  };
  lower(download.limit, then.download);
  lower(upload.limit, then.upload);
  // A guaranteed rate above the new ceiling would contradict it.
  if (download.limit && download.minimum && *download.minimum > *download.limit)
    download.minimum = download.limit;
  if (upload.limit && upload.minimum && *upload.minimum > *upload.limit) upload.minimum = upload.limit;
}

std::optional<std::string> quota_transition_message(const std::optional<QuotaStatus>& before,
                                                    const QuotaStatus& now) {
  const QuotaLevel previous = before ? before->level : QuotaLevel::under;
  const bool new_period = before && before->period != now.period;
  if (new_period && previous != QuotaLevel::under && now.level == QuotaLevel::under) {
    return fmt::format("{}: new period from {}, limits lifted", scope_name(now),
                       local_time_text(now.period.begin));
  }
  if (!new_period && now.level <= previous) return std::nullopt;
  if (now.level == QuotaLevel::over) {
    return fmt::format("{} used up ({}): over-quota limits apply until {}", scope_name(now),
                       measures_text(now), local_time_text(now.period.end));
  }
  if (now.level == QuotaLevel::warning) {
    return fmt::format("{} nearly used up ({})", scope_name(now), measures_text(now));
  }
  return std::nullopt;
}

std::string describe_quota(const QuotaStatus& status) {
  return fmt::format("{}: {}, resets {}", scope_name(status), measures_text(status),
                     local_time_text(status.period.end));
}

}  // namespace nettoll
