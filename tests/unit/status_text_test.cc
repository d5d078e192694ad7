// SPDX-License-Identifier: Apache-2.0
// `nettoll status` as text: what it says about how processes are found.
#include <gtest/gtest.h>

#include <nlohmann/json.hpp>
#include <string>
#include <vector>

#include "daemon/status_report.h"

namespace nettoll {
namespace {

TEST(StatusTextTest, NamesWhyThereAreNoProcessEvents) {
  const nlohmann::json report = {
      {"status", "shaping nt0 (configured)"},
      {"config", "/etc/nettoll/nettoll.yaml"},
      {"classifier",
       {{"path", "u32"},
        {"process_events", "rescan"},
        {"process_events_reason", "cannot listen to process events: Connection refused"}}}};
  const std::string text = format_status(report);
  EXPECT_NE(text.find("process events: none, cannot listen to process events: Connection refused\n"),
            std::string::npos)
      << text;
}

TEST(StatusTextTest, SaysNothingWithProcessEvents) {
  const nlohmann::json report = {{"status", "shaping nt0 (configured)"},
                                 {"classifier", {{"path", "bpf"}, {"process_events", "proc connector"}}}};
  EXPECT_EQ(format_status(report).find("process events"), std::string::npos);
}

TEST(StatusTextTest, ToleratesAReportWithoutClassifier) {
  EXPECT_EQ(format_status({{"status", "watching"}}).find("process events"), std::string::npos);
}

// The columns after the rule start at the same place on every line, however
// long a stream's rule name is.
TEST(StatusTextTest, ClassColumnsAlignWithALongStreamRule) {
  auto klass = [](const char* id, const char* rule) {
    return nlohmann::json{
        {"id", id},      {"rule", rule}, {"rate_bps", 1'000'000}, {"ceil_bps", 20'000'000}, {"prio", 4},
        {"bytes", 1234}, {"drops", 0}};
  };
  const nlohmann::json report = {
      {"status", "shaping vA (configured)"},
      {"egress",
       {{"device", "vA"},
        {"classes",
         {klass("7a:1", "global"), klass("7a:10", "bulk"), klass("7a:7000", "stream 203.0.113.5/32"),
          klass("7a:7001", "stream 2001:db8::5/128")}}}}};
  const std::string text = format_status(report);
  std::vector<size_t> rate_columns;
  size_t line_start = text.find("upload (vA):\n") + 13;
  for (size_t end; (end = text.find('\n', line_start)) != std::string::npos; line_start = end + 1) {
    const std::string line = text.substr(line_start, end - line_start);
    if (line.rfind("  7a:", 0) != 0) break;
    rate_columns.push_back(line.find(" rate "));
  }
  ASSERT_EQ(rate_columns.size(), 4u) << text;
  for (size_t column : rate_columns) EXPECT_EQ(column, rate_columns.front()) << text;
  EXPECT_NE(text.find("  7a:7001 stream 2001:db8::5/128 rate "), std::string::npos) << text;
  EXPECT_NE(text.find("  7a:1    global                 rate "), std::string::npos) << text;
}

}  // namespace
}  // namespace nettoll
