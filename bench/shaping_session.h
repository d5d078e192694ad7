// SPDX-License-Identifier: Apache-2.0
// ShapingSession: `nettoll apply` running in a testbed's namespace A on vA
// with a given config, for benchmarks that need shaping in place. Stopped
// with SIGTERM (nettoll cleans up) when the session ends.
#pragma once

#include <memory>
#include <string>

#include "child_process.h"
#include "testbed.h"

namespace nettoll::bench {

class ShapingSession {
 public:
  // Writes `config_yaml` to a temporary file and starts `nettoll apply` on vA
  // in `testbed`'s namespace A; waits up to 10 s for "shaping vA".
  ShapingSession(const testing::Testbed& testbed, const std::string& config_yaml);
  ~ShapingSession();
  ShapingSession(const ShapingSession&) = delete;
  ShapingSession& operator=(const ShapingSession&) = delete;

  // Empty when shaping is in place, else nettoll's output.
  const std::string& error() const { return error_; }

 private:
  std::string config_path_;
  std::unique_ptr<testing::ChildProcess> apply_;
  std::string error_;
};

// Where a benchmark writes a temporary config: /tmp/nettoll-bench-<pid>-<tag>.yaml.
std::string temporary_config_path(const std::string& tag);

}  // namespace nettoll::bench
