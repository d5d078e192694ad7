// SPDX-License-Identifier: Apache-2.0
// Round-trip times from namespace A to B with ping, summarised.
#pragma once

#include <string>
#include <vector>

#include "testbed.h"

namespace nettoll::bench {

struct RttSummary {
  int sent = 0;
  std::vector<double> rtts_ms;  // one per reply received
  double avg_ms = 0;
  double p50_ms = 0;
  double p99_ms = 0;
  double max_ms = 0;
};

// The "time=X ms" of each reply in ping's output, summarised; `sent` pings.
RttSummary summarise_ping_output(const std::string& output, int sent);

// Sends `count` pings from A to 10.77.0.2, one every `interval_ms` (root may
// go below 200 ms), and waits for the last reply.
RttSummary ping_from_a(const testing::Testbed& testbed, int count, int interval_ms);

}  // namespace nettoll::bench
