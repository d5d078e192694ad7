// SPDX-License-Identifier: Apache-2.0
#include "core/duration.h"

#include <array>
#include <cctype>
#include <charconv>
#include <cmath>
#include <cstdio>

namespace nettoll {
namespace {

struct Unit {
  std::string_view suffix;
  double microseconds;
};

// Longest suffix first so "ms" is not read as "s".
constexpr std::array kUnits = {
    Unit{"usecs", 1},  Unit{"usec", 1}, Unit{"us", 1},     Unit{"msecs", 1e3},
    Unit{"msec", 1e3}, Unit{"ms", 1e3}, Unit{"secs", 1e6}, Unit{"sec", 1e6},
    Unit{"min", 60e6}, Unit{"s", 1e6},  Unit{"h", 3600e6},
};

}  // namespace

Result<Duration> parse_duration(std::string_view text) {
  std::string lower(text);
  for (char& c : lower) c = static_cast<char>(std::tolower(static_cast<unsigned char>(c)));
  for (const Unit& unit : kUnits) {
    if (lower.size() <= unit.suffix.size() || !lower.ends_with(unit.suffix)) continue;
    std::string_view number = std::string_view(lower).substr(0, lower.size() - unit.suffix.size());
    while (!number.empty() && number.back() == ' ') number.remove_suffix(1);
    double value = 0;
    auto [end, ec] = std::from_chars(number.data(), number.data() + number.size(), value);
    if (ec != std::errc() || end != number.data() + number.size()) break;
    if (value < 0) return Error{"duration '" + std::string(text) + "' is negative"};
    const double microseconds = value * unit.microseconds;
    // Past 2^62 us (146,000 years) llround would overflow: no setting needs that.
    if (!std::isfinite(microseconds) || microseconds >= 0x1p62)
      return Error{"duration '" + std::string(text) + "' is too large"};
    return Duration(static_cast<int64_t>(std::llround(microseconds)));
  }
  return Error{"bad duration '" + std::string(text) + "': expected a number and a unit (us, ms, s, min, h)"};
}

std::string format_duration(Duration duration) {
  const int64_t us = duration.count();
  char buffer[48];
  if (us != 0 && us % 1000000 == 0) {
    std::snprintf(buffer, sizeof buffer, "%llds", static_cast<long long>(us / 1000000));
  } else if (us >= 1000000) {
    std::snprintf(buffer, sizeof buffer, "%.6gs", static_cast<double>(us) / 1e6);
  } else if (us >= 1000) {
    std::snprintf(buffer, sizeof buffer, "%.6gms", static_cast<double>(us) / 1e3);
  } else {
    std::snprintf(buffer, sizeof buffer, "%lldus", static_cast<long long>(us));
  }
  return buffer;
}

}  // namespace nettoll
