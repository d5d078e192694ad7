// SPDX-License-Identifier: Apache-2.0
// A quota as configured (`quota:` on the top level or in a rule): a period,
// sizes, and what applies once they are used up. Values only; periods and
// states are computed in src/usage.
#pragma once

#include <cstdint>
#include <optional>

#include "core/rate.h"

namespace nettoll {

enum class QuotaPeriodKind { day, week, month };

struct QuotaPeriod {
  QuotaPeriodKind kind = QuotaPeriodKind::month;
  // month: the day of the month it starts on, 1..31 (in shorter months, their
  // last day); week: the weekday, 1 = Monday .. 7 = Sunday; day: unused.
  int start = 1;
  bool operator==(const QuotaPeriod&) const = default;
};

// What applies while a quota is used up.
struct QuotaThen {
  bool block = false;            // drop the rule's packets
  std::optional<Rate> download;  // else: these ceilings
  std::optional<Rate> upload;
  bool operator==(const QuotaThen&) const = default;
};

struct QuotaConfig {
  QuotaPeriod period;
  std::optional<uint64_t> total;  // bytes, both directions together
  std::optional<uint64_t> download;
  std::optional<uint64_t> upload;
  QuotaThen then;
  std::optional<double> warn_at;  // fraction of a size, e.g. 0.8
  bool operator==(const QuotaConfig&) const = default;
};

}  // namespace nettoll
