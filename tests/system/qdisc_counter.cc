// SPDX-License-Identifier: Apache-2.0
#include "qdisc_counter.h"

#include <sstream>

#include "testbed.h"

namespace nettoll::testing {

std::optional<QdiscReading> read_qdisc_counter(const std::string& netns, const std::string& device,
                                               const std::string& handle) {
  // `tc -n` enters the namespace itself: no shell, no mount namespace, so
  // the call is short and its midpoint close to the kernel's reading.
  const auto start = std::chrono::steady_clock::now();
  const CommandOutput shown = run_command("tc -n " + netns + " -s qdisc show dev " + device);
  const auto end = std::chrono::steady_clock::now();
  if (shown.exit_status != 0) return std::nullopt;
  const size_t qdisc = shown.output.find(" " + handle + " ");
  if (qdisc == std::string::npos) return std::nullopt;
  const size_t sent = shown.output.find("Sent ", qdisc);
  if (sent == std::string::npos) return std::nullopt;
  QdiscReading reading;
  if (!(std::istringstream(shown.output.substr(sent + 5)) >> reading.bytes)) return std::nullopt;
  reading.at = start + (end - start) / 2;
  return reading;
}

double rate_mbit(const QdiscReading& before, const QdiscReading& after) {
  const double seconds = std::chrono::duration<double>(after.at - before.at).count();
  if (seconds <= 0 || after.bytes < before.bytes) return 0;
  return static_cast<double>(after.bytes - before.bytes) * 8 / seconds / 1e6;
}

}  // namespace nettoll::testing
