#include "core/tbf_params.h"

#include <fmt/format.h>

#include <algorithm>

namespace nettoll {
namespace {

// Ethernet header on top of the MTU: what one full frame costs the bucket.
constexpr uint32_t kLinkHeaderBytes = 14;

}  // namespace

TbfPlan plan_tbf(const std::string& device, const TbfInput& input) {
  TbfPlan tbf;
  tbf.device = device;
  tbf.rate = input.rate;
  tbf.mtu = input.mtu;
  tbf.latency = input.latency;
  const uint64_t rate_bytes = input.rate.bytes_per_second();
  const uint32_t frame = input.mtu + kLinkHeaderBytes;
  const uint64_t per_tick = rate_bytes / static_cast<uint64_t>(std::max(input.hz, 1));
  const uint64_t computed = std::max<uint64_t>(per_tick, 2ULL * frame);
  const uint64_t burst = input.burst_override ? input.burst_override : computed;
  tbf.burst_bytes = static_cast<uint32_t>(std::min<uint64_t>(burst, UINT32_MAX));
  const uint64_t queued = rate_bytes * static_cast<uint64_t>(input.latency.count()) / 1'000'000;
  tbf.limit_bytes = static_cast<uint32_t>(std::min<uint64_t>(queued + tbf.burst_bytes, UINT32_MAX));

  auto& why = tbf.explanation;
  why.push_back(fmt::format("rate {} = {} bytes/s", format_rate(input.rate), rate_bytes));
  why.push_back(fmt::format("one frame = MTU {} + {} bytes of Ethernet header = {} bytes", input.mtu,
                            kLinkHeaderBytes, frame));
  why.push_back(fmt::format("one timer tick at HZ={} = {} ms; the bucket must refill a tick's worth: "
                            "{} bytes/s / {} = {} bytes",
                            input.hz, 1000.0 / std::max(input.hz, 1), rate_bytes, input.hz, per_tick));
  if (input.burst_override) {
    why.push_back(fmt::format("burst = {} bytes, set in the config (computed would be {})",
                              input.burst_override, computed));
  } else {
    why.push_back(fmt::format("burst = max({} per tick, 2 frames = {}) = {} bytes", per_tick, 2 * frame,
                              tbf.burst_bytes));
  }
  if (tbf.burst_bytes < frame) {
    why.push_back(fmt::format("warning: burst {} is below one frame ({}): full-size packets will never pass",
                              tbf.burst_bytes, frame));
  }
  why.push_back(fmt::format("queue limit = rate × latency {} = {} bytes, + burst = {} bytes",
                            format_duration(input.latency), queued, tbf.limit_bytes));
  return tbf;
}

}  // namespace nettoll
