// SPDX-License-Identifier: Apache-2.0
#include "qdisc_counter.h"

#include <sstream>
#include <thread>

#include "testbed.h"

namespace nettoll::testing {

namespace {

// The first "Sent N bytes" after `object` in what `command` prints, stamped
// with the call's midpoint.
std::optional<QdiscReading> read_counter(const std::string& command, const std::string& object) {
  // `tc -n` enters the namespace itself: no shell, no mount namespace, so
  // the call is short and its midpoint close to the kernel's reading.
  const auto start = std::chrono::steady_clock::now();
  const CommandOutput shown = run_command(command);
  const auto end = std::chrono::steady_clock::now();
  if (shown.exit_status != 0) return std::nullopt;
  const size_t found = shown.output.find(object);
  if (found == std::string::npos) return std::nullopt;
  const size_t sent = shown.output.find("Sent ", found);
  if (sent == std::string::npos) return std::nullopt;
  QdiscReading reading;
  if (!(std::istringstream(shown.output.substr(sent + 5)) >> reading.bytes)) return std::nullopt;
  reading.at = start + (end - start) / 2;
  return reading;
}

}  // namespace

std::optional<QdiscReading> read_qdisc_counter(const std::string& netns, const std::string& device,
                                               const std::string& handle) {
  return read_counter("tc -n " + netns + " -s qdisc show dev " + device, " " + handle + " ");
}

std::optional<QdiscReading> read_class_counter(const std::string& netns, const std::string& device,
                                               const std::string& classid) {
  return read_counter("tc -n " + netns + " -s class show dev " + device + " classid " + classid,
                      "class htb " + classid + " ");
}

double rate_mbit(const QdiscReading& before, const QdiscReading& after) {
  const double seconds = std::chrono::duration<double>(after.at - before.at).count();
  if (seconds <= 0 || after.bytes < before.bytes) return 0;
  return static_cast<double>(after.bytes - before.bytes) * 8 / seconds / 1e6;
}

std::optional<double> steady_class_rate(const std::string& netns, const std::string& device,
                                        const std::string& classid, uint64_t settle_bytes,
                                        std::chrono::milliseconds window,
                                        std::chrono::milliseconds deadline) {
  const auto first = read_class_counter(netns, device, classid);
  if (!first) return std::nullopt;
  std::optional<QdiscReading> before = first;
  const bool settled = eventually(
      [&] {
        before = read_class_counter(netns, device, classid);
        return !before || before->bytes >= first->bytes + settle_bytes;
      },
      deadline);
  if (!settled || !before) return std::nullopt;
  std::this_thread::sleep_for(window);  // the measurement itself
  const auto after = read_class_counter(netns, device, classid);
  if (!after) return std::nullopt;
  return rate_mbit(*before, *after);
}

}  // namespace nettoll::testing
