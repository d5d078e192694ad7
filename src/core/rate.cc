// SPDX-License-Identifier: Apache-2.0
#include "core/rate.h"

#include <array>
#include <cctype>
#include <charconv>
#include <cmath>
#include <cstdio>
#include <limits>

namespace nettoll {
namespace {

struct Unit {
  std::string_view suffix;
  double bits;
};

// tc(8) units: bit-based and byte-based ("bps" is bytes per second), SI and
// IEC prefixes. Matched case-insensitively, longest suffix first.
constexpr std::array kUnits = {
    Unit{"tibit", 1099511627776.0},
    Unit{"gibit", 1073741824.0},
    Unit{"mibit", 1048576.0},
    Unit{"kibit", 1024.0},
    Unit{"tibps", 8796093022208.0},
    Unit{"gibps", 8589934592.0},
    Unit{"mibps", 8388608.0},
    Unit{"kibps", 8192.0},
    Unit{"tbit", 1e12},
    Unit{"gbit", 1e9},
    Unit{"mbit", 1e6},
    Unit{"kbit", 1e3},
    Unit{"tbps", 8e12},
    Unit{"gbps", 8e9},
    Unit{"mbps", 8e6},
    Unit{"kbps", 8e3},
    Unit{"bit", 1.0},
    Unit{"bps", 8.0},
};

std::string lowercase(std::string_view text) {
  std::string out(text);
  for (char& c : out) c = static_cast<char>(std::tolower(static_cast<unsigned char>(c)));
  return out;
}

bool ends_with(std::string_view text, std::string_view suffix) {
  return text.size() >= suffix.size() && text.substr(text.size() - suffix.size()) == suffix;
}

}  // namespace

Result<Rate> parse_rate(std::string_view text) {
  std::string lower = lowercase(text);
  while (!lower.empty() && std::isspace(static_cast<unsigned char>(lower.back()))) lower.pop_back();
  std::string_view number = lower;
  double multiplier = 1.0;  // a bare number is bits per second, as in tc
  for (const Unit& unit : kUnits) {
    if (ends_with(lower, unit.suffix)) {
      number = std::string_view(lower).substr(0, lower.size() - unit.suffix.size());
      multiplier = unit.bits;
      break;
    }
  }
  while (!number.empty() && std::isspace(static_cast<unsigned char>(number.back()))) number.remove_suffix(1);
  double value = 0;
  auto [end, ec] = std::from_chars(number.data(), number.data() + number.size(), value);
  if (number.empty() || ec != std::errc() || end != number.data() + number.size()) {
    return Error{"bad rate '" + std::string(text) +
                 "': expected a number and a unit (bit, kbit, mbit, gbit, tbit, bps, kbps, mbps, "
                 "gbps, tbps, or IEC kibit, mibps...)"};
  }
  if (value < 0) return Error{"rate '" + std::string(text) + "' is negative"};
  double bits = value * multiplier;
  if (!std::isfinite(bits) || bits >= static_cast<double>(std::numeric_limits<uint64_t>::max() / 2)) {
    return Error{"rate '" + std::string(text) + "' is too large"};
  }
  auto bps = static_cast<uint64_t>(std::llround(bits));
  if (bps == 0) return Error{"rate '" + std::string(text) + "' is zero; omit the key for no limit"};
  return Rate::bits_per_second(bps);
}

std::string format_rate(Rate rate) {
  const uint64_t bps = rate.bits_per_second();
  struct Prefix {
    const char* name;
    double bits;
  };
  constexpr std::array<Prefix, 4> kPrefixes = {Prefix{"tbit", 1e12}, Prefix{"gbit", 1e9}, Prefix{"mbit", 1e6},
                                               Prefix{"kbit", 1e3}};
  for (const Prefix& prefix : kPrefixes) {
    if (static_cast<double>(bps) >= prefix.bits) {
      char buffer[48];
      std::snprintf(buffer, sizeof buffer, "%.6g%s", static_cast<double>(bps) / prefix.bits, prefix.name);
      return buffer;
    }
  }
  return std::to_string(bps) + "bit";
}

Rate scale_rate(Rate rate, double factor) {
  return Rate::bits_per_second(static_cast<uint64_t>(static_cast<double>(rate.bits_per_second()) * factor));
}

}  // namespace nettoll
