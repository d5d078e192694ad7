// SPDX-License-Identifier: Apache-2.0
#include "core/tbf_params.h"

#include <gtest/gtest.h>
#include <linux/if_arp.h>

#include "core/byte_size.h"

namespace nettoll {
namespace {

TbfInput input(uint64_t bps, int hz, uint32_t mtu = 1500, uint32_t header = kEthernetHeaderBytes) {
  TbfInput in;
  in.rate = Rate::bits_per_second(bps);
  in.hz = hz;
  in.mtu = mtu;
  in.link_header_bytes = header;
  in.latency = std::chrono::milliseconds(50);
  return in;
}

std::string all_lines(const TbfPlan& tbf) {
  std::string all;
  for (const std::string& line : tbf.explanation) all += line + "\n";
  return all;
}

// The WireGuard-on-DSL example of issue 12: 1 Mbit/s at 300 Hz needs at
// least 417 bytes a tick (125000 / 300 = 416.67, rounded up, not down).
TEST(TbfParams, OneMbitAt300HzNeeds417BytesATick) {
  const TbfPlan tbf = plan_tbf("wg0", input(1'000'000, 300, 1420, 0));
  EXPECT_EQ(tbf.per_tick_bytes, 417u);
  EXPECT_EQ(tbf.frame_bytes, 1420u);  // WireGuard has no link-layer header
  EXPECT_EQ(tbf.burst_bytes, 1420u);  // one full frame is more than a tick
  EXPECT_EQ(tbf.limit_bytes, 6250u + 1420u);
  const std::string all = all_lines(tbf);
  EXPECT_NE(all.find("ceil(125000 / 300) = 417 bytes"), std::string::npos) << all;
  EXPECT_NE(all.find("3.33 ms"), std::string::npos) << all;
  EXPECT_EQ(all.find("3.333"), std::string::npos) << all;
  EXPECT_NE(all.find("no link-layer header"), std::string::npos) << all;
}

TEST(TbfParams, AutoBurstIsTheLargerOfATickAndAFrame) {
  struct Case {
    uint64_t bps;
    int hz;
    uint32_t mtu;
    uint32_t header;
    uint32_t burst;
  };
  const Case cases[] = {
      {64'000, 250, 1500, 14, 1514},  // 32 bytes a tick: one frame
      {64'000, 100, 1280, 0, 1280},   // minimum IPv6 MTU, tun
      {1'000'000, 1000, 1420, 0, 1420},
      {10'000'000, 250, 1500, 14, 5000},    // 1250000 / 250
      {10'000'000, 100, 9000, 14, 12'500},  // jumbo frame under a tick
      {100'000'000, 250, 1500, 14, 50'000},
      {100'000'000, 1000, 9000, 14, 12'500},
      {1'000'000'000, 300, 1500, 14, 416'667},  // rounded up
      {10'000'000'000ULL, 250, 9000, 14, 5'000'000},
      {10'000'000'000ULL, 1000, 1500, 0, 1'250'000},
  };
  for (const Case& c : cases) {
    TbfInput in = input(c.bps, c.hz, c.mtu, c.header);
    in.latency = std::chrono::seconds(1);  // a queue longer than the burst at 64 kbit/s too
    const TbfPlan tbf = plan_tbf("x", in);
    EXPECT_EQ(tbf.burst_bytes, c.burst) << c.bps << " bit/s at HZ " << c.hz << ", MTU " << c.mtu;
    EXPECT_GE(tbf.burst_bytes, c.mtu + c.header);
    EXPECT_GE(uint64_t{tbf.burst_bytes} * static_cast<uint64_t>(c.hz), c.bps / 8);
    EXPECT_TRUE(tbf_warnings(tbf).empty()) << all_lines(tbf);
  }
}

TEST(TbfParams, LimitIsRateTimesLatencyPlusBurstAsTcComputesIt) {
  // tc qdisc add ... tbf rate 10mbit burst 5000 latency 50ms gives limit 67500.
  TbfInput in = input(10'000'000, 250);
  EXPECT_EQ(plan_tbf("x", in).limit_bytes, 62'500u + 5000u);
  in.latency = std::chrono::microseconds(1);
  EXPECT_EQ(plan_tbf("x", in).limit_bytes, 1u + 5000u);
}

TEST(TbfParams, ConfiguredBurstIsKeptAndWarnedAbout) {
  TbfInput in = input(10'000'000, 250);
  in.burst = 1000;
  const TbfPlan tbf = plan_tbf("wg0", in);
  EXPECT_EQ(tbf.burst_bytes, 1000u);
  const auto warnings = tbf_warnings(tbf);
  ASSERT_EQ(warnings.size(), 2u);
  EXPECT_NE(warnings[0].find("below one frame (1514 bytes)"), std::string::npos) << warnings[0];
  EXPECT_NE(warnings[1].find("below one timer tick's worth"), std::string::npos) << warnings[1];
  EXPECT_NE(all_lines(tbf).find("auto would be 5000"), std::string::npos);
}

TEST(TbfParams, ShortLatencyQueueIsWarnedAbout) {
  TbfInput in = input(1'000'000, 250);
  in.latency = std::chrono::milliseconds(5);  // 625 bytes of queue, burst 1514
  const auto warnings = tbf_warnings(plan_tbf("wg0", in));
  ASSERT_EQ(warnings.size(), 1u);
  EXPECT_NE(warnings[0].find("queues only 625 bytes"), std::string::npos) << warnings[0];
}

TEST(TbfParams, ExplanationNamesEveryInput) {
  const std::string all = all_lines(plan_tbf("wg0", input(1'000'000, 100, 1420)));
  EXPECT_NE(all.find("HZ=100"), std::string::npos) << all;
  EXPECT_NE(all.find("MTU 1420 + 14 bytes of Ethernet header = 1434"), std::string::npos) << all;
  EXPECT_NE(all.find("latency = 125000 × 50ms"), std::string::npos) << all;
  TbfInput assumed = input(1'000'000, 1000);
  assumed.hz_assumed = true;
  EXPECT_NE(all_lines(plan_tbf("wg0", assumed)).find("assumed"), std::string::npos);
}

TEST(TbfParams, MillisecondsAreRoundedSensibly) {
  EXPECT_EQ(format_milliseconds(1000.0 / 300), "3.33 ms");
  EXPECT_EQ(format_milliseconds(4.0), "4 ms");
  EXPECT_EQ(format_milliseconds(61.44), "61.4 ms");
  EXPECT_EQ(format_milliseconds(0.25), "250 us");
  EXPECT_EQ(format_milliseconds(1500.0), "1.5 s");
}

TEST(TbfParams, LinkHeaderFollowsTheDeviceType) {
  EXPECT_EQ(link_header_bytes_for(ARPHRD_ETHER), 14u);
  EXPECT_EQ(link_header_bytes_for(ARPHRD_LOOPBACK), 14u);
  EXPECT_EQ(link_header_bytes_for(ARPHRD_NONE), 0u);  // tun, wireguard
  EXPECT_EQ(link_header_bytes_for(ARPHRD_TUNNEL), 0u);
  EXPECT_EQ(link_header_bytes_for(ARPHRD_IPGRE), 0u);
}

TEST(TbfParams, TcAndNetworkdEquivalents) {
  const TbfPlan tbf = plan_tbf("wg0", input(1'000'000, 300, 1420, 0));
  EXPECT_EQ(tc_command_for(tbf),
            "tc qdisc replace dev wg0 root handle 7b: tbf rate 1mbit burst 1420 limit 7670");
  const std::string section = networkd_section_for(tbf);
  EXPECT_NE(section.find("# in the .network file whose [Match] has Name=wg0"), std::string::npos) << section;
  EXPECT_NE(
      section.find("[TokenBucketFilter]\nParent=root\nRate=1000000\nBurstBytes=1420\nLatencySec=50ms\n"),
      std::string::npos)
      << section;
  TbfInput in = input(1'000'000, 300, 1420, 0);
  in.direction = TbfDirection::ingress;
  TbfPlan ingress = plan_tbf("wg0", in);
  ingress.ifb = "ntl-wg0";
  const std::string lines = tc_command_for(ingress);
  EXPECT_NE(lines.find("ip link add ntl-wg0 type ifb"), std::string::npos) << lines;
  EXPECT_NE(lines.find("mirred egress redirect dev ntl-wg0"), std::string::npos) << lines;
  EXPECT_NE(lines.find("tc qdisc replace dev ntl-wg0 root handle 7b: tbf"), std::string::npos) << lines;
}

TEST(ByteSize, TcUnits) {
  EXPECT_EQ(parse_byte_size("3028").value(), 3028u);
  EXPECT_EQ(parse_byte_size("3028b").value(), 3028u);
  EXPECT_EQ(parse_byte_size("3kb").value(), 3072u);
  EXPECT_EQ(parse_byte_size("3K").value(), 3072u);
  EXPECT_EQ(parse_byte_size("1mb").value(), 1048576u);
  EXPECT_EQ(parse_byte_size("1.5kb").value(), 1536u);
  EXPECT_FALSE(parse_byte_size("0"));
  EXPECT_FALSE(parse_byte_size("1.5"));
  EXPECT_FALSE(parse_byte_size("3kbit"));
  EXPECT_FALSE(parse_byte_size("kb"));
  EXPECT_FALSE(parse_byte_size("8gb"));
}

}  // namespace
}  // namespace nettoll

#include "core/interface_limit_check.h"

namespace nettoll {
namespace {

TEST(InterfaceLimitCheck, WarnsOncePerLimitAtItsBurst) {
  Config config;
  config.path = "n.yaml";
  InterfaceLimit wg;
  wg.name = "wg0";
  wg.rate = Rate::bits_per_second(1'000'000);
  wg.burst_bytes = 1000;
  wg.burst_mark = SourceMark{2, 29};
  wg.direction = LimitDirection::both;
  config.interfaces.push_back(wg);
  const auto warnings = interface_limit_warnings(config, KernelCapabilities{false, 250},
                                                 ListedDevices{{"wg0", ListedDevice{1420, 0}}});
  ASSERT_EQ(warnings.size(), 1u);
  EXPECT_EQ(
      format_diagnostic(warnings[0]),
      "n.yaml:2:29: warning: interface 'wg0': burst 1000 bytes is below one frame (1420 bytes): full-size "
      "packets never pass");
  config.interfaces[0].burst_bytes.reset();
  EXPECT_TRUE(interface_limit_warnings(config, KernelCapabilities{false, 250}, {}).empty());
}

}  // namespace
}  // namespace nettoll
