// SPDX-License-Identifier: Apache-2.0
// Random secrets (API token, dashboard login codes, session ids) from the
// kernel's CSPRNG (getrandom).
#pragma once

#include <cstddef>
#include <string>

#include "core/result.h"

namespace nettoll {

// `bytes` random bytes as lowercase hex (2 × bytes characters). Fails when
// getrandom does.
Result<std::string> random_secret(size_t bytes);

}  // namespace nettoll
