// SPDX-License-Identifier: Apache-2.0
#include "ping_rtt.h"

#include <fmt/format.h>

#include <sstream>

#include "sample_stats.h"

namespace nettoll::bench {

RttSummary summarise_ping_output(const std::string& output, int sent) {
  RttSummary summary;
  summary.sent = sent;
  std::istringstream lines(output);
  std::string line;
  while (std::getline(lines, line)) {
    const size_t at = line.find("time=");
    if (at != std::string::npos) summary.rtts_ms.push_back(std::stod(line.substr(at + 5)));
  }
  summary.avg_ms = mean(summary.rtts_ms);
  summary.p50_ms = percentile(summary.rtts_ms, 0.5);
  summary.p99_ms = percentile(summary.rtts_ms, 0.99);
  summary.max_ms = percentile(summary.rtts_ms, 1.0);
  return summary;
}

RttSummary ping_from_a(const testing::Testbed& testbed, int count, int interval_ms) {
  // -W bounds the wait for the last reply; a ping lost in a full queue counts as lost.
  const std::string command =
      fmt::format("ping -n -c {} -i {:.3f} -W 2 10.77.0.2", count, static_cast<double>(interval_ms) / 1000);
  return summarise_ping_output(testbed.run_in_a(command).output, count);
}

}  // namespace nettoll::bench
