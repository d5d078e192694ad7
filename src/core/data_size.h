// SPDX-License-Identifier: Apache-2.0
// Data sizes of quotas and usage figures: "50GB" (SI, 10^9), "2GiB" (IEC,
// 2^30), "500MB", "1TB", "1024B". Not tc's burst sizes (see byte_size.h).
#pragma once

#include <cstdint>
#include <string>
#include <string_view>

#include "core/result.h"

namespace nettoll {

// The number of bytes `text` names: B, kB, MB, GB, TB (powers of 1000) or
// KiB, MiB, GiB, TiB (powers of 1024); the unit is required. Fails on a rate
// unit (mbit, kbps...) with a message saying that a size is wanted, on an
// unknown unit, on zero and on values beyond 2^63 bytes.
Result<uint64_t> parse_data_size(std::string_view text);

// Human form with SI units and three significant digits: "512 B", "1.50 kB",
// "20.0 MB", "1.23 TB".
std::string format_data_size(uint64_t bytes);

}  // namespace nettoll
