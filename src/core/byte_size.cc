// SPDX-License-Identifier: Apache-2.0
#include "core/byte_size.h"

#include <array>
#include <charconv>
#include <cmath>
#include <string>

namespace nettoll {
namespace {

struct SizeUnit {
  std::string_view suffix;
  double bytes;
};

// Longest suffixes first, so "kb" is not read as "b".
constexpr std::array<SizeUnit, 5> kSizeUnits = {SizeUnit{"kb", 1024.0}, SizeUnit{"mb", 1024.0 * 1024.0},
                                                SizeUnit{"k", 1024.0}, SizeUnit{"m", 1024.0 * 1024.0},
                                                SizeUnit{"b", 1.0}};

}  // namespace

Result<uint32_t> parse_byte_size(std::string_view text) {
  std::string lower(text);
  for (char& c : lower) c = static_cast<char>(std::tolower(static_cast<unsigned char>(c)));
  std::string_view number = lower;
  double multiplier = 1.0;
  for (const SizeUnit& unit : kSizeUnits) {
    if (number.size() > unit.suffix.size() && number.ends_with(unit.suffix)) {
      number.remove_suffix(unit.suffix.size());
      multiplier = unit.bytes;
      break;
    }
  }
  double value = 0;
  const auto [end, ec] = std::from_chars(number.data(), number.data() + number.size(), value);
  const std::string expected = "expected auto or a size in bytes such as 3028, 3kb (KiB) or 1mb (MiB)";
  if (number.empty() || ec != std::errc() || end != number.data() + number.size()) {
    return Error{"bad size '" + std::string(text) + "': " + expected};
  }
  const double bytes = value * multiplier;
  if (!(bytes >= 1.0) || bytes > 4294967295.0 || bytes != std::floor(bytes)) {
    return Error{"size '" + std::string(text) + "' must be a whole number of bytes from 1 to 4294967295"};
  }
  return static_cast<uint32_t>(bytes);
}

}  // namespace nettoll
