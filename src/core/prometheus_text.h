// SPDX-License-Identifier: Apache-2.0
// The Prometheus text exposition format (version 0.0.4): metric families as
// values, written out with HELP/TYPE lines and escaped label values. The
// /metrics endpoint is a list of families from several sources (traffic,
// quotas), each adding its own.
#pragma once

#include <map>
#include <string>
#include <vector>

namespace nettoll {

struct MetricSample {
  std::map<std::string, std::string> labels;
  double value = 0;
};

struct MetricFamily {
  std::string name;  // e.g. nettoll_class_bytes_total
  std::string help;
  std::string type;  // counter, gauge
  std::vector<MetricSample> samples;
};

// The families as exposition text, in the order given; a family without
// samples still gets its HELP and TYPE lines.
std::string format_prometheus(const std::vector<MetricFamily>& families);

}  // namespace nettoll
