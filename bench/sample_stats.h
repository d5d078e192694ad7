// SPDX-License-Identifier: Apache-2.0
// Summaries of a benchmark's samples: mean and nearest-rank percentiles.
#pragma once

#include <algorithm>
#include <numeric>
#include <vector>

namespace nettoll::bench {

// The value below which a fraction `p` (0..1) of `values` lie (nearest rank);
// 0 for no values.
inline double percentile(std::vector<double> values, double p) {
  if (values.empty()) return 0;
  std::sort(values.begin(), values.end());
  return values[static_cast<size_t>(p * static_cast<double>(values.size() - 1) + 0.5)];
}

// The arithmetic mean, or 0 for no values.
inline double mean(const std::vector<double>& values) {
  if (values.empty()) return 0;
  return std::accumulate(values.begin(), values.end(), 0.0) / static_cast<double>(values.size());
}

}  // namespace nettoll::bench
