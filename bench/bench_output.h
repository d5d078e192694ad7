// SPDX-License-Identifier: Apache-2.0
// How benchmarks report: a human line and one JSON line per figure.
#pragma once

#include <cstdio>
#include <nlohmann/json.hpp>
#include <string>

namespace nettoll::bench {

// Prints `text` for people, then the figure as one JSON line for scripts.
inline void report(const std::string& text, const nlohmann::json& figure) {
  std::printf("%s\n%s\n", text.c_str(), figure.dump().c_str());
  std::fflush(stdout);
}

}  // namespace nettoll::bench
