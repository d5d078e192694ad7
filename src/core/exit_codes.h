// SPDX-License-Identifier: Apache-2.0
// Process exit codes, part of the contract (DESIGN.md §3).
#pragma once

namespace nettoll {

inline constexpr int kExitOk = 0;
inline constexpr int kExitBadInput = 1;        // config, arguments
inline constexpr int kExitRuntimeFailure = 2;  // kernel refused, daemon unreachable

}  // namespace nettoll
