// TBF parameters for an interface limit, derived from rate, MTU, latency and
// the kernel's HZ, with a human explanation (`nettoll explain tbf`).
#pragma once

#include <cstdint>
#include <string>

#include "core/duration.h"
#include "core/plan.h"
#include "core/rate.h"

namespace nettoll {

struct TbfInput {
  Rate rate;
  Duration latency = std::chrono::milliseconds(50);
  uint32_t mtu = 1500;
  int hz = 250;
  uint32_t burst_override = 0;  // 0 = compute
};

// burst = max(rate/HZ, 2 frames): the bucket must refill at least one tick's
// worth of bytes or TBF cannot reach its rate, and must hold a full frame or
// nothing passes. limit = rate × latency + burst bytes (as tc computes it).
TbfPlan plan_tbf(const std::string& device, const TbfInput& input);

}  // namespace nettoll
