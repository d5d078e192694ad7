// SPDX-License-Identifier: Apache-2.0
#include "class_counter.h"

#include "tc_text.h"

namespace nettoll::bench {

std::optional<CounterReading> read_class_counter(const std::string& netns, const std::string& device,
                                                 const std::string& class_id) {
  const auto start = std::chrono::steady_clock::now();
  const testing::CommandOutput shown =
      testing::run_command("tc -n " + netns + " -s class show dev " + device);
  const auto end = std::chrono::steady_clock::now();
  const auto classes = testing::parse_tc_classes(shown.output);
  const auto found = classes.find(class_id);
  if (shown.exit_status != 0 || found == classes.end()) return std::nullopt;
  return CounterReading{found->second.sent_bytes, found->second.sent_packets, start + (end - start) / 2};
}

double rate_mbit(const CounterReading& before, const CounterReading& after) {
  const double seconds = std::chrono::duration<double>(after.at - before.at).count();
  if (seconds <= 0) return 0;
  return static_cast<double>(after.bytes - before.bytes) * 8 / seconds / 1e6;
}

}  // namespace nettoll::bench
