#include "core/tbf_params.h"

#include <gtest/gtest.h>

namespace nettoll {
namespace {

TbfInput input(uint64_t bps, int hz, uint32_t mtu = 1500) {
  TbfInput in;
  in.rate = Rate::bits_per_second(bps);
  in.hz = hz;
  in.mtu = mtu;
  in.latency = std::chrono::milliseconds(50);
  return in;
}

TEST(TbfParams, SlowRateBurstIsTwoFrames) {
  const TbfPlan tbf = plan_tbf("wg0", input(1'000'000, 250));
  EXPECT_EQ(tbf.burst_bytes, 3028u);
  EXPECT_EQ(tbf.limit_bytes, 125'000u * 50 / 1000 + 3028u);
}

TEST(TbfParams, FastRateBurstIsOneTick) {
  const TbfPlan tbf = plan_tbf("eth0", input(1'000'000'000, 250));
  EXPECT_EQ(tbf.burst_bytes, 500'000u);
  const TbfPlan fast_timer = plan_tbf("eth0", input(1'000'000'000, 1000));
  EXPECT_EQ(fast_timer.burst_bytes, 125'000u);
}

TEST(TbfParams, BurstOverrideIsKeptAndExplained) {
  TbfInput in = input(10'000'000, 250);
  in.burst_override = 1000;
  const TbfPlan tbf = plan_tbf("wg0", in);
  EXPECT_EQ(tbf.burst_bytes, 1000u);
  bool warned = false;
  for (const std::string& line : tbf.explanation) warned |= line.find("below one frame") != std::string::npos;
  EXPECT_TRUE(warned);
}

TEST(TbfParams, ExplanationNamesEveryInput) {
  const TbfPlan tbf = plan_tbf("wg0", input(1'000'000, 100, 1420));
  std::string all;
  for (const std::string& line : tbf.explanation) all += line + "\n";
  EXPECT_NE(all.find("HZ=100"), std::string::npos) << all;
  EXPECT_NE(all.find("MTU 1420"), std::string::npos) << all;
  EXPECT_NE(all.find("latency 50ms"), std::string::npos) << all;
}

}  // namespace
}  // namespace nettoll
