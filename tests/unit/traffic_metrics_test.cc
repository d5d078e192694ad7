// SPDX-License-Identifier: Apache-2.0
#include "core/traffic_metrics.h"

#include <gtest/gtest.h>

namespace nettoll {
namespace {

const MetricFamily& family(const std::vector<MetricFamily>& families, const std::string& name) {
  for (const MetricFamily& f : families)
    if (f.name == name) return f;
  throw std::runtime_error("no family " + name);
}

TEST(PrometheusText, WritesHelpTypeAndEscapedLabels) {
  const std::string text = format_prometheus(
      {{"nettoll_x_total", "X", "counter", {{{{"rule", "a\"b\\c"}, {"device", "eth0"}}, 42}}}});
  EXPECT_EQ(text,
            "# HELP nettoll_x_total X\n# TYPE nettoll_x_total counter\n"
            "nettoll_x_total{device=\"eth0\",rule=\"a\\\"b\\\\c\"} 42\n");
}

TEST(TrafficMetrics, ClassFamiliesUseDeviceDirectionRuleAndBaseUnits) {
  const nlohmann::json stats = {{"interface", "eth0"},
                                {"reason", "route"},
                                {"classes",
                                 {{{"device", "eth0"},
                                   {"direction", "upload"},
                                   {"rule", "global"},
                                   {"bytes", 1000},
                                   {"ceil_bps", 8000000}},
                                  {{"device", "ntb-eth0"},
                                   {"direction", "download"},
                                   {"rule", "browser"},
                                   {"bytes", 5},
                                   {"drops", 2}}}}};
  const auto families = traffic_metrics(stats, "0.1.0");
  const MetricFamily& bytes = family(families, "nettoll_class_bytes_total");
  ASSERT_EQ(bytes.samples.size(), 2u);
  EXPECT_EQ(bytes.samples[0].labels.at("device"), "eth0");
  EXPECT_EQ(bytes.samples[0].labels.size(), 3u);
  EXPECT_EQ(family(families, "nettoll_class_ceil_bytes_per_second").samples[0].value, 1000000.0);
  EXPECT_EQ(family(families, "nettoll_class_drops_total").samples[1].value, 2.0);
  EXPECT_EQ(family(families, "nettoll_managed_interface_info").samples[0].labels.at("reason"), "route");
}

TEST(TrafficMetrics, NamesAreBoundedToTheTopFiftyPlusOther) {
  nlohmann::json names = nlohmann::json::array();
  for (int i = 0; i < 80; ++i)
    names.push_back({{"name", "p" + std::to_string(i)}, {"download_bytes", 100 - i}});
  const auto families = traffic_metrics({{"names", names}}, "0.1.0");
  const MetricFamily& by_name = family(families, "nettoll_process_name_bytes_total");
  // 51 names (50 + other), two directions each; no PID label anywhere.
  EXPECT_EQ(by_name.samples.size(), 2 * (kMaxMetricNames + 1));
  double other = 0;
  for (const MetricSample& sample : by_name.samples) {
    EXPECT_FALSE(sample.labels.count("pid"));
    if (sample.labels.at("name") == "other" && sample.labels.at("direction") == "download")
      other = sample.value;
  }
  double expected = 0;
  for (int i = 50; i < 80; ++i) expected += 100 - i;
  EXPECT_EQ(other, expected);
}

TEST(TrafficMetrics, UnruledTrafficIsTheDefaultRule) {
  const auto families =
      traffic_metrics({{"rules", {{{"rule", ""}, {"download_bytes", 3}, {"upload_bytes", 4}}}}}, "0.1.0");
  const MetricFamily& rules = family(families, "nettoll_rule_bytes_total");
  ASSERT_EQ(rules.samples.size(), 2u);
  EXPECT_EQ(rules.samples[0].labels.at("rule"), "default");
}

}  // namespace
}  // namespace nettoll
