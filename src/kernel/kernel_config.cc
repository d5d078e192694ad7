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

std::optional<KernelHz> hz_from(const std::string& path, const std::optional<std::string>& text) {
  if (!text) return std::nullopt;
  auto hz = parse_config_hz(*text);
  if (!hz) return std::nullopt;
  return KernelHz{*hz, false, path};
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

KernelHz detect_kernel_hz() {
  const std::string proc_config = "/proc/config.gz";
  if (auto found = hz_from(proc_config, read_gzip_file(proc_config))) return *found;
  utsname names{};
  if (uname(&names) == 0) {
    const std::string boot_config = std::string("/boot/config-") + names.release;
    if (auto found = hz_from(boot_config, read_text_file(boot_config))) return *found;
  }
  return KernelHz{};
}

int kernel_hz() {
  static const int hz = detect_kernel_hz().hz;
  return hz;
}

}  // namespace nettoll
