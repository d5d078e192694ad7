// SPDX-License-Identifier: Apache-2.0
// `nettoll status` as text: what it says about how processes are found.
#include <gtest/gtest.h>

#include <nlohmann/json.hpp>

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

}  // namespace
}  // namespace nettoll
