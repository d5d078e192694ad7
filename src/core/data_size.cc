// SPDX-License-Identifier: Apache-2.0
#include "core/data_size.h"

#include <fmt/format.h>

#include <array>
#include <cctype>
#include <charconv>
#include <cmath>

namespace nettoll {
namespace {

struct SizeUnit {
  std::string_view suffix;  // lower case
  double bytes;
};

// Longest suffixes first, so "kib" is not read as "b".
constexpr std::array<SizeUnit, 9> kUnits = {SizeUnit{"kib", 1024.0},
                                            SizeUnit{"mib", 1048576.0},
                                            SizeUnit{"gib", 1073741824.0},
                                            SizeUnit{"tib", 1099511627776.0},
                                            SizeUnit{"kb", 1e3},
                                            SizeUnit{"mb", 1e6},
                                            SizeUnit{"gb", 1e9},
                                            SizeUnit{"tb", 1e12},
                                            SizeUnit{"b", 1.0}};

// Every rate unit of tc's ends with one of these (kbit, mibps...): a size
// that does is a rate written where a size belongs.
constexpr std::array<std::string_view, 2> kRateSuffixes = {"bit", "bps"};

constexpr const char* kExpected =
    "expected a size such as 500MB, 50GB or 2GiB (B, kB, MB, GB, TB, KiB...TiB)";

}  // namespace

Result<uint64_t> parse_data_size(std::string_view text) {
  std::string lower(text);
  for (char& c : lower) c = static_cast<char>(std::tolower(static_cast<unsigned char>(c)));
  for (std::string_view rate_suffix : kRateSuffixes) {
    if (lower.ends_with(rate_suffix)) {
      return Error{"'" + std::string(text) + "' is a rate, but a size is wanted here: " + kExpected};
    }
  }
  std::string_view number = lower;
  double multiplier = 0;
  for (const SizeUnit& unit : kUnits) {
    if (number.ends_with(unit.suffix)) {
      number.remove_suffix(unit.suffix.size());
      multiplier = unit.bytes;
      break;
    }
  }
  while (!number.empty() && number.back() == ' ') number.remove_suffix(1);
  double value = 0;
  const auto [end, ec] = std::from_chars(number.data(), number.data() + number.size(), value);
  if (multiplier == 0 || number.empty() || ec != std::errc() || end != number.data() + number.size()) {
    return Error{"bad size '" + std::string(text) + "': " + kExpected};
  }
  const double bytes = std::floor(value * multiplier);
  if (!(bytes >= 1.0) || bytes > 9.2e18) {
    return Error{"size '" + std::string(text) + "' must be at least 1 byte and at most 9EB"};
  }
  return static_cast<uint64_t>(bytes);
}

std::string format_data_size(uint64_t bytes) {
  static constexpr std::array<const char*, 6> kNames = {"kB", "MB", "GB", "TB", "PB", "EB"};
  if (bytes < 1000) return fmt::format("{} B", bytes);
  double value = static_cast<double>(bytes);
  size_t unit = 0;
  value /= 1000;
  while (value >= 999.5 && unit + 1 < kNames.size()) {
    value /= 1000;
    ++unit;
  }
  const int decimals = value >= 99.95 ? 0 : value >= 9.995 ? 1 : 2;
  return fmt::format("{:.{}f} {}", value, decimals, kNames[unit]);
}

}  // namespace nettoll
