// SPDX-License-Identifier: Apache-2.0
// TBF parameters for an interface limit, derived from rate, MTU, link-layer
// header, latency and the kernel's HZ, with a human explanation (`nettoll
// explain tbf`, `nettoll plan`) and the equivalent `tc` and networkd forms.
#pragma once

#include <cstdint>
#include <optional>
#include <string>
#include <vector>

#include "core/duration.h"
#include "core/plan.h"
#include "core/rate.h"

namespace nettoll {

// Link-layer header a frame carries on top of the MTU: 14 bytes on Ethernet
// (and veth), none on WireGuard, tun and IP tunnels (ARPHRD_NONE and friends).
inline constexpr uint32_t kEthernetHeaderBytes = 14;

// The link-layer header bytes a device of ARPHRD type `arphrd` puts on every
// frame: Ethernet-like devices (veth, bridges, Wi-Fi, loopback) 14, raw IP
// devices (tun, WireGuard, IP tunnels: ARPHRD_NONE, _TUNNEL, _IPGRE...) none.
uint32_t link_header_bytes_for(uint16_t arphrd);

struct TbfInput {
  Rate rate;
  Duration latency = std::chrono::milliseconds(50);
  uint32_t mtu = 1500;
  uint32_t link_header_bytes = kEthernetHeaderBytes;
  int hz = 1000;
  bool hz_assumed = false;        // no kernel config was readable
  std::optional<uint32_t> burst;  // absent = auto
  TbfDirection direction = TbfDirection::egress;
};

// The smallest bucket that still reaches `rate`: one timer tick's worth of
// bytes, ceil(rate / HZ), and at least one full frame (a smaller bucket never
// lets a full-size packet through).
uint32_t auto_tbf_burst(Rate rate, uint32_t frame_bytes, int hz);

// The queue limit as `tc ... tbf latency T` computes it: rate × latency + burst.
uint32_t tbf_limit_for_latency(Rate rate, Duration latency, uint32_t burst_bytes);

// burst and limit for `device` (see above), with how each was derived.
TbfPlan plan_tbf(const std::string& device, const TbfInput& input);

// Warnings about a burst or queue that cannot work as configured (burst below
// one frame or below rate/HZ, a queue shorter than the burst); empty when fine.
std::vector<std::string> tbf_warnings(const TbfPlan& tbf);

// "1.42 ms", "3.33 ms", "250 us", "1.5 s": three significant digits at most.
std::string format_milliseconds(double milliseconds);

// `tc qdisc replace dev IF root handle 7b: tbf rate ... burst ... limit ...`,
// preceded for ingress by the IFB and redirect lines; newline-separated.
std::string tc_command_for(const TbfPlan& tbf);

// The `[TokenBucketFilter]` section systemd-networkd takes for the same limit,
// with a comment naming the .network file it belongs in.
std::string networkd_section_for(const TbfPlan& tbf);

}  // namespace nettoll
