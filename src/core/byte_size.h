// SPDX-License-Identifier: Apache-2.0
// Byte sizes as tc writes them: "3028", "3028b", "3kb" / "3k" (KiB), "1mb" / "1m" (MiB).
#pragma once

#include <cstdint>
#include <string_view>

#include "core/result.h"

namespace nettoll {

// The number of bytes `text` names. Fails on an unknown unit, a fraction of a
// byte, zero, or more than 4 GiB - 1.
Result<uint32_t> parse_byte_size(std::string_view text);

}  // namespace nettoll
