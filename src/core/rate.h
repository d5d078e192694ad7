// SPDX-License-Identifier: Apache-2.0
// Rate: a bandwidth in bits per second, parsed and printed with tc's units.
#pragma once

#include <compare>
#include <cstdint>
#include <string>
#include <string_view>

#include "core/result.h"

namespace nettoll {

class Rate {
 public:
  constexpr Rate() = default;
  static constexpr Rate bits_per_second(uint64_t bps) { return Rate(bps); }
  static constexpr Rate bytes_per_second(uint64_t bytes) { return Rate(bytes * 8); }

  constexpr uint64_t bits_per_second() const { return bps_; }
  // Bytes per second, as the kernel's HTB/TBF attributes want it (rounded down).
  constexpr uint64_t bytes_per_second() const { return bps_ / 8; }
  constexpr bool is_zero() const { return bps_ == 0; }

  constexpr auto operator<=>(const Rate&) const = default;
  constexpr Rate operator+(Rate other) const { return Rate(bps_ + other.bps_); }
  constexpr Rate operator-(Rate other) const { return Rate(bps_ > other.bps_ ? bps_ - other.bps_ : 0); }

 private:
  explicit constexpr Rate(uint64_t bps) : bps_(bps) {}
  uint64_t bps_ = 0;
};

// Parses "10mbit", "2.5Mbit", "100kbps" (kilobytes/s, as in tc), "1mibit",
// "5000" (bits). Fails with a message naming the unit list on a bad unit, and
// on zero, negative or overflowing values.
Result<Rate> parse_rate(std::string_view text);

// Human form in bits with SI prefixes: "10mbit", "2.5mbit", "800kbit", "1gbit".
std::string format_rate(Rate rate);

// Multiplies a rate by a fraction (e.g. scaling minimums to fit), rounding down.
Rate scale_rate(Rate rate, double factor);

}  // namespace nettoll
