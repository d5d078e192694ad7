// SPDX-License-Identifier: Apache-2.0
// Accounting's reading of the HTB classes: the one reading a second that
// /v1/stats and /v1/status show, and the rates made from two of them.
#include "daemon/accounting.h"

#include <gtest/gtest.h>

#include <map>
#include <string>

#include "class_only_accounting.h"

namespace nettoll {
namespace {

class AccountingTest : public ::testing::Test {
 protected:
  void SetUp() override { ASSERT_TRUE(fake_.accounting); }

  ClassOnlyAccounting fake_;
  std::map<std::string, TcStats>& kernel_ = fake_.kernel;
  const int& dumps_ = fake_.dumps;
  Accounting* accounting_ = fake_.accounting.get();
};

TEST_F(AccountingTest, BeforeTheFirstSampleNoClassHasCounters) {
  EXPECT_EQ(accounting_->samples(), 0u);
  EXPECT_EQ(accounting_->class_counters("vA 7a:10"), nullptr);
  EXPECT_EQ(accounting_->class_rate("vA 7a:10"), 0.0);
  EXPECT_EQ(dumps_, 0);
}

TEST_F(AccountingTest, ASampleKeepsTheClassesCountersUntilTheNext) {
  kernel_["vA 7a:10"] = TcStats{.bytes = 1000, .packets = 10, .drops = 3, .backlog_bytes = 1514};
  accounting_->sample();
  EXPECT_EQ(accounting_->samples(), 1u);
  ASSERT_NE(accounting_->class_counters("vA 7a:10"), nullptr);
  EXPECT_EQ(accounting_->class_counters("vA 7a:10")->drops, 3u);
  EXPECT_EQ(accounting_->class_counters("vA 7a:10")->backlog_bytes, 1514u);
  EXPECT_EQ(accounting_->class_rate("vA 7a:10"), 0.0) << "one reading is no rate";

  kernel_["vA 7a:10"].bytes = 5000;
  kernel_["vA 7a:10"].drops = 4;
  EXPECT_EQ(accounting_->class_counters("vA 7a:10")->drops, 3u) << "read once per sample, not per question";
  EXPECT_EQ(dumps_, 1);

  accounting_->sample();
  EXPECT_EQ(accounting_->samples(), 2u);
  EXPECT_EQ(accounting_->class_counters("vA 7a:10")->bytes, 5000u);
  EXPECT_EQ(accounting_->class_counters("vA 7a:10")->drops, 4u);
  EXPECT_GT(accounting_->class_rate("vA 7a:10"), 0.0);
  EXPECT_EQ(dumps_, 2);
}

TEST_F(AccountingTest, AClassGoneFromTheKernelLosesItsCounters) {
  kernel_["vA 7a:10"] = TcStats{.bytes = 1000};
  kernel_["vA 7a:20"] = TcStats{.bytes = 2000};
  accounting_->sample();
  kernel_.erase("vA 7a:20");
  accounting_->sample();
  EXPECT_NE(accounting_->class_counters("vA 7a:10"), nullptr);
  EXPECT_EQ(accounting_->class_counters("vA 7a:20"), nullptr);
  EXPECT_EQ(accounting_->class_rate("vA 7a:20"), 0.0);
}

TEST(ClassKeyTest, IsTheDeviceAndTheHandle) { EXPECT_EQ(class_key("vA", Handle{0x7a, 0x10}), "vA 7a:10"); }

}  // namespace
}  // namespace nettoll
