// SPDX-License-Identifier: Apache-2.0
// TrafficStats' one document per accounting sample: readers between two
// samples share it, and a sample, a new plan or a moved interface makes a
// new one.
#include "daemon/traffic_stats.h"

#include <gtest/gtest.h>

#include <memory>
#include <string>

#include "class_only_accounting.h"

namespace nettoll {
namespace {

class TrafficStatsTest : public ::testing::Test {
 protected:
  void SetUp() override {
    ASSERT_TRUE(fake_.accounting);
    stats_ = std::make_unique<TrafficStats>(
        *fake_.accounting,
        TrafficStats::Sources{[this]() -> const Plan& { return plan_; }, [this] { return plan_version_; },
                              [this] { return link_; }, [] { return std::string("bpf"); }});
    HtbTree tree;
    tree.device = "vA";
    tree.classes.push_back(
        HtbClass{.id = {0x7a, 0x1}, .rule = "global", .ceil = Rate::bits_per_second(8000)});
    plan_.egress = tree;
    fake_.kernel["vA 7a:1"] = TcStats{.bytes = 1000, .drops = 1};
  }

  const nlohmann::json& root_class() { return stats_->stats()["classes"][0]; }

  ClassOnlyAccounting fake_;
  std::unique_ptr<TrafficStats> stats_;
  Plan plan_;
  uint64_t plan_version_ = 1;
  InterfaceChoice link_{"vA", "the default route's interface"};
};

TEST_F(TrafficStatsTest, ReadersBetweenTwoSamplesShareOneDocument) {
  fake_.accounting->sample();
  EXPECT_EQ(root_class()["drops"], 1);
  const nlohmann::json* first = &stats_->stats();
  fake_.kernel["vA 7a:1"].drops = 2;  // not read until the next sample
  EXPECT_EQ(&stats_->stats(), first);
  EXPECT_EQ(root_class()["drops"], 1);
  fake_.accounting->sample();
  EXPECT_EQ(root_class()["drops"], 2);
  EXPECT_EQ(root_class()["bytes"], 1000);
}

TEST_F(TrafficStatsTest, ANewPlanOrInterfaceMakesANewDocumentAtOnce) {
  fake_.accounting->sample();
  EXPECT_EQ(stats_->stats()["upload_limit_bps"], 8000);
  plan_.egress->classes[0].ceil = Rate::bits_per_second(4000);
  ++plan_version_;
  EXPECT_EQ(stats_->stats()["upload_limit_bps"], 4000) << "a `set` shows before the next sample";
  link_ = {"vB", "it moved"};
  EXPECT_EQ(stats_->stats()["interface"], "vB");
}

}  // namespace
}  // namespace nettoll
