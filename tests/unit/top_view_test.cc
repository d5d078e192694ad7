// SPDX-License-Identifier: Apache-2.0
#include "core/top_view.h"

#include <gtest/gtest.h>

namespace nettoll {
namespace {

const nlohmann::json kStats = {
    {"interface", "eth0"},
    {"download_limit_bps", 80000000},
    {"accounting", {{"per_process", true}}},
    {"processes",
     {{{"pid", 10}, {"name", "slow"}, {"rule", "bulk"}, {"download_bytes_per_second", 1000}},
      {{"pid", 20}, {"name", "fast"}, {"rule", ""}, {"download_bytes_per_second", 5000000}},
      {{"pid", 30}, {"name", "aaa"}, {"rule", "bulk"}, {"upload_bytes_per_second", 2000}}}},
    {"classes", {{{"device", "eth0"}, {"direction", "upload"}, {"id", "7a:1"}, {"rule", "global"}}}}};

TEST(TopView, HeaderShowsInterfaceAndLimits) {
  const std::string screen = format_top(kStats, {});
  EXPECT_NE(screen.find("interface eth0"), std::string::npos);
  EXPECT_NE(screen.find("down 10.0 MB/s up unlimited"), std::string::npos) << screen;
}

TEST(TopView, SortsByRateOrByTheChosenColumn) {
  std::string screen = format_top(kStats, {});
  EXPECT_LT(screen.find("fast"), screen.find("slow"));
  screen = format_top(kStats, {TopSort::name});
  EXPECT_LT(screen.find("aaa"), screen.find("fast"));
  EXPECT_LT(screen.find("fast"), screen.find("slow"));
}

TEST(TopView, GroupsByRule) {
  const std::string screen = format_top(kStats, {TopSort::rate, true});
  EXPECT_NE(screen.find("-- no rule --"), std::string::npos);
  EXPECT_LT(screen.find("-- bulk --"), screen.find("aaa"));
  EXPECT_LT(screen.find("aaa"), screen.find("slow"));  // upload 2000 > download 1000
}

TEST(TopView, SaysWhenAccountingIsOff) {
  nlohmann::json stats = kStats;
  stats["accounting"] = {{"per_process", false}, {"note", "per-process figures need the eBPF path"}};
  EXPECT_NE(format_top(stats, {}).find("per-process figures need the eBPF path"), std::string::npos);
}

TEST(TopView, HumanUnits) {
  EXPECT_EQ(human_size(999), "999 B");
  EXPECT_EQ(human_size(1500000), "1.5 MB");
  EXPECT_EQ(human_rate(2500), "2.5 kB/s");
}

}  // namespace
}  // namespace nettoll
