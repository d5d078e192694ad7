// What bench/tbf_bench and tests/system/tbf_test measured about TBF bursts
// on a modern kernel, for `nettoll explain tbf` to tell the user.
#pragma once

#include <string>
#include <vector>

namespace nettoll::cli {

// A few lines: the measured rates with the auto burst, 2 frames and 1 frame.
inline std::vector<std::string> tbf_burst_findings() {
  return {
      "MEASUREMENT PENDING",
  };
}

}  // namespace nettoll::cli
