// SPDX-License-Identifier: Apache-2.0
// The running kernel's build configuration, as far as nettoll needs it: HZ
// (the timer tick that bounds how often TBF can refill its bucket).
#pragma once

#include <optional>
#include <string>
#include <string_view>

namespace nettoll {

// What tc and the kernel docs assume without a config: the worst case for
// bursts is a slow tick, but 1000 is the common modern default.
inline constexpr int kGuessedHz = 1000;

struct KernelHz {
  int hz = kGuessedHz;
  bool guessed = true;  // no readable config: hz is the common distribution default
  std::string source;   // "/proc/config.gz", "/boot/config-6.1.0-18-amd64" or "" when guessed
};

// Reads CONFIG_HZ from /proc/config.gz, else /boot/config-$(uname -r); when
// neither is readable, kGuessedHz with `guessed` set. Never fails.
KernelHz detect_kernel_hz();

// detect_kernel_hz().hz, read once per process.
int kernel_hz();

// The running kernel's build config: /proc/config.gz, else
// /boot/config-$(uname -r); nullopt when neither is readable.
struct KernelConfigText {
  std::string text;
  std::string source;  // the file it was read from
};
std::optional<KernelConfigText> read_kernel_config();

// The value of CONFIG_<name> ("y", "m", "250") in a config text, or "".
std::string kernel_config_value(std::string_view config_text, std::string_view name);

// CONFIG_HZ from the text of a kernel config, or nullopt when absent/invalid.
std::optional<int> parse_config_hz(std::string_view config_text);

}  // namespace nettoll
