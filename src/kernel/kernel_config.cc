// SPDX-License-Identifier: Apache-2.0
#include "kernel/kernel_config.h"

#include <sys/utsname.h>
#include <zlib.h>

#include <charconv>
#include <fstream>
#include <sstream>

namespace nettoll {
namespace {

constexpr std::string_view kHzOption = "CONFIG_HZ=";

// The whole of a gzip file, or nullopt when it cannot be read.
std::optional<std::string> read_gzip_file(const std::string& path) {
  gzFile file = gzopen(path.c_str(), "rb");
  if (!file) return std::nullopt;
  std::string text;
  char chunk[16384];
  int read = 0;
  while ((read = gzread(file, chunk, sizeof(chunk))) > 0) text.append(chunk, static_cast<size_t>(read));
  const bool failed = read < 0;
  gzclose(file);
  if (failed) return std::nullopt;
  return text;
}

std::optional<std::string> read_text_file(const std::string& path) {
  std::ifstream file(path);
  if (!file) return std::nullopt;
  std::ostringstream text;
  text << file.rdbuf();
  return text.str();
}

}  // namespace

std::optional<int> parse_config_hz(std::string_view config_text) {
  size_t line_start = 0;
  while (line_start < config_text.size()) {
    size_t line_end = config_text.find('\n', line_start);
    if (line_end == std::string_view::npos) line_end = config_text.size();
    std::string_view line = config_text.substr(line_start, line_end - line_start);
    if (line.starts_with(kHzOption)) {
      std::string_view digits = line.substr(kHzOption.size());
      int hz = 0;
      auto [end, error] = std::from_chars(digits.data(), digits.data() + digits.size(), hz);
      if (error == std::errc() && end == digits.data() + digits.size() && hz > 0) return hz;
      return std::nullopt;
    }
    line_start = line_end + 1;
  }
  return std::nullopt;
}

std::optional<KernelConfigText> read_kernel_config() {
  const std::string proc_config = "/proc/config.gz";
  if (auto text = read_gzip_file(proc_config)) return KernelConfigText{std::move(*text), proc_config};
  utsname names{};
  if (uname(&names) != 0) return std::nullopt;
  const std::string boot_config = std::string("/boot/config-") + names.release;
  if (auto text = read_text_file(boot_config)) return KernelConfigText{std::move(*text), boot_config};
  return std::nullopt;
}

std::string kernel_config_value(std::string_view config_text, std::string_view name) {
  const std::string key = "CONFIG_" + std::string(name) + "=";
  size_t line_start = 0;
  while (line_start < config_text.size()) {
    size_t line_end = config_text.find('\n', line_start);
    if (line_end == std::string_view::npos) line_end = config_text.size();
    const std::string_view line = config_text.substr(line_start, line_end - line_start);
    if (line.starts_with(key)) return std::string(line.substr(key.size()));
    line_start = line_end + 1;
  }
  return "";
}

KernelHz detect_kernel_hz() {
  const auto config = read_kernel_config();
  if (!config) return KernelHz{};
  auto hz = parse_config_hz(config->text);
  if (!hz) return KernelHz{};
  return KernelHz{*hz, false, config->source};
}

int kernel_hz() {
  static const int hz = detect_kernel_hz().hz;
  return hz;
}

}  // namespace nettoll
