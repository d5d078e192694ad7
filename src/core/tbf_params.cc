// SPDX-License-Identifier: Apache-2.0
#include "core/tbf_params.h"

#include <fmt/format.h>
#include <linux/if_arp.h>

#include <algorithm>
#include <cmath>

#include "core/kernel_state.h"

namespace nettoll {
namespace {

constexpr uint64_t kMicrosecondsPerSecond = 1'000'000;

uint64_t ceil_div(uint64_t a, uint64_t b) { return (a + b - 1) / b; }

uint32_t clamp32(uint64_t value) { return static_cast<uint32_t>(std::min<uint64_t>(value, UINT32_MAX)); }

uint64_t per_tick_bytes(Rate rate, int hz) {
  return ceil_div(rate.bytes_per_second(), static_cast<uint64_t>(std::max(hz, 1)));
}

uint64_t queued_bytes(Rate rate, Duration latency) {
  return rate.bytes_per_second() * static_cast<uint64_t>(std::max<int64_t>(latency.count(), 0)) /
         kMicrosecondsPerSecond;
}

std::string link_header_text(uint32_t header) {
  if (header == 0) return "no link-layer header (tun, WireGuard, IP tunnel)";
  if (header == kEthernetHeaderBytes) return fmt::format("{} bytes of Ethernet header", header);
  return fmt::format("{} bytes of link-layer header", header);
}

void explain(const TbfInput& input, uint64_t per_tick, uint32_t auto_burst, TbfPlan& tbf) {
  auto& why = tbf.explanation;
  const uint64_t rate_bytes = input.rate.bytes_per_second();
  why.push_back(fmt::format("rate {} = {} bytes/s", format_rate(input.rate), rate_bytes));
  why.push_back(fmt::format("one frame = MTU {} + {} = {} bytes", input.mtu,
                            link_header_text(input.link_header_bytes), tbf.frame_bytes));
  why.push_back(
      fmt::format("one timer tick at HZ={}{} = {}; a tick's worth of bytes = ceil({} / {}) = {} bytes",
                  input.hz, input.hz_assumed ? " (assumed: no kernel config readable)" : "",
                  format_milliseconds(1000.0 / std::max(input.hz, 1)), rate_bytes, input.hz, per_tick));
  if (input.burst) {
    why.push_back(
        fmt::format("burst = {} bytes, set in the config (auto would be {})", *input.burst, auto_burst));
  } else {
    why.push_back(fmt::format("burst = max({} per tick, 1 frame = {}) = {} bytes", per_tick, tbf.frame_bytes,
                              tbf.burst_bytes));
  }
  const uint64_t queued = queued_bytes(input.rate, input.latency);
  why.push_back(fmt::format("queue limit = rate × latency = {} × {} = {} bytes, + burst {} = {} bytes",
                            rate_bytes, format_duration(input.latency), queued, tbf.burst_bytes,
                            tbf.limit_bytes));
  why.push_back(fmt::format("a full queue drains in {} at the rate",
                            format_milliseconds(1000.0 * static_cast<double>(tbf.limit_bytes) /
                                                static_cast<double>(std::max<uint64_t>(rate_bytes, 1)))));
}

}  // namespace

uint32_t link_header_bytes_for(uint16_t arphrd) {
  switch (arphrd) {
    case ARPHRD_ETHER:
    case ARPHRD_LOOPBACK:
    case ARPHRD_IEEE802:
      return kEthernetHeaderBytes;
    default:
      return 0;
  }
}

uint32_t auto_tbf_burst(Rate rate, uint32_t frame_bytes, int hz) {
  return clamp32(std::max<uint64_t>(per_tick_bytes(rate, hz), frame_bytes));
}

uint32_t tbf_limit_for_latency(Rate rate, Duration latency, uint32_t burst_bytes) {
  return clamp32(queued_bytes(rate, latency) + burst_bytes);
}

TbfPlan plan_tbf(const std::string& device, const TbfInput& input) {
  TbfPlan tbf;
  tbf.device = device;
  tbf.direction = input.direction;
  tbf.rate = input.rate;
  tbf.mtu = input.mtu;
  tbf.frame_bytes = input.mtu + input.link_header_bytes;
  tbf.latency = input.latency;
  const uint64_t per_tick = per_tick_bytes(input.rate, input.hz);
  const uint32_t auto_burst = auto_tbf_burst(input.rate, tbf.frame_bytes, input.hz);
  tbf.burst_bytes = input.burst.value_or(auto_burst);
  tbf.per_tick_bytes = clamp32(per_tick);
  tbf.limit_bytes = tbf_limit_for_latency(input.rate, input.latency, tbf.burst_bytes);
  explain(input, per_tick, auto_burst, tbf);
  for (const std::string& warning : tbf_warnings(tbf)) tbf.explanation.push_back("warning: " + warning);
  return tbf;
}

std::vector<std::string> tbf_warnings(const TbfPlan& tbf) {
  std::vector<std::string> warnings;
  if (tbf.burst_bytes < tbf.frame_bytes) {
    warnings.push_back(
        fmt::format("burst {} bytes is below one frame ({} bytes): full-size packets never pass",
                    tbf.burst_bytes, tbf.frame_bytes));
  }
  if (tbf.burst_bytes < tbf.per_tick_bytes) {
    warnings.push_back(
        fmt::format("burst {} bytes is below one timer tick's worth at {} ({} bytes): the rate "
                    "may not be reached on a kernel that refills once per tick",
                    tbf.burst_bytes, format_rate(tbf.rate), tbf.per_tick_bytes));
  }
  const uint64_t queue = tbf.limit_bytes - std::min(tbf.limit_bytes, tbf.burst_bytes);
  if (queue < tbf.burst_bytes) {
    warnings.push_back(
        fmt::format("latency {} queues only {} bytes at {}, less than the burst of {} bytes: "
                    "raise the latency or lower the burst",
                    format_duration(tbf.latency), queue, format_rate(tbf.rate), tbf.burst_bytes));
  }
  return warnings;
}

std::string format_milliseconds(double milliseconds) {
  if (milliseconds >= 1000.0) return fmt::format("{:.3g} s", milliseconds / 1000.0);
  if (milliseconds >= 1.0) return fmt::format("{:.3g} ms", milliseconds);
  return fmt::format("{:.3g} us", milliseconds * 1000.0);
}

std::string tc_command_for(const TbfPlan& tbf) {
  std::string lines;
  if (tbf.direction == TbfDirection::ingress) {
    lines += fmt::format("ip link add {0} type ifb && ip link set {0} up\n", tbf.ifb);
    lines += fmt::format("tc qdisc add dev {} clsact\n", tbf.device);
    lines += fmt::format(
        "tc filter add dev {} ingress pref 31233 u32 match u32 0 0 action mirred egress redirect "
        "dev {}\n",
        tbf.device, tbf.ifb);
  }
  lines +=
      fmt::format("tc qdisc replace dev {} root handle {:x}: tbf rate {} burst {} limit {}",
                  tbf.qdisc_device(), kTbfMajor, format_rate(tbf.rate), tbf.burst_bytes, tbf.limit_bytes);
  return lines;
}

std::string networkd_section_for(const TbfPlan& tbf) {
  std::string section;
  if (tbf.direction == TbfDirection::ingress) {
    section +=
        "# networkd has no ingress token bucket: it needs an IFB and a redirect, which nettoll keeps\n";
  }
  section += fmt::format(
      "# in the .network file whose [Match] has Name={} (e.g. /etc/systemd/network/{}.network)\n"
      "[TokenBucketFilter]\n"
      "Parent=root\n"
      "Rate={}\n"
      "BurstBytes={}\n"
      "LatencySec={}\n",
      tbf.device, tbf.device, tbf.rate.bits_per_second(), tbf.burst_bytes, format_duration(tbf.latency));
  return section;
}

}  // namespace nettoll
