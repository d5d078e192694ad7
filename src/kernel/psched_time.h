// SPDX-License-Identifier: Apache-2.0
// Packet-scheduler time: HTB and TBF take their bucket sizes as a time (in
// psched ticks) to send the burst at the rate, not as bytes. The tick length
// comes from /proc/net/psched, as iproute2's tc reads it.
#pragma once

#include <cstdint>

namespace nettoll {

// Psched ticks per microsecond on this kernel (15.625 with 64 ns ticks).
double psched_ticks_per_usec();

// Ticks needed to send `bytes` at `rate_bytes_per_second`, truncated as tc
// does and capped at UINT32_MAX. 0 when the rate is 0.
uint32_t bytes_to_psched_ticks(uint64_t bytes, uint64_t rate_bytes_per_second);

// The inverse: how many bytes `ticks` of sending at the rate make, rounded
// to the nearest byte (burst sizes as the kernel holds them).
uint32_t psched_ticks_to_bytes(uint32_t ticks, uint64_t rate_bytes_per_second);

}  // namespace nettoll
