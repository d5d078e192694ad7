// SPDX-License-Identifier: Apache-2.0
#include "core/container_mark.h"

#include <bit>
#include <charconv>

namespace nettoll {

Result<uint32_t> parse_container_mark(const std::string& text) {
  if (text == "off") return uint32_t(0);
  const bool hex = text.starts_with("0x") || text.starts_with("0X");
  const char* begin = text.data() + (hex ? 2 : 0);
  const char* end = text.data() + text.size();
  uint32_t mask = 0;
  const auto [stop, error] = std::from_chars(begin, end, mask, hex ? 16 : 10);
  if (begin == end || error != std::errc() || stop != end) {
    return Error{"expected a mark mask such as 0x7f000000, or off, got '" + text + "'"};
  }
  if (mask == 0)
    return Error{"a mark mask of 0 carries nothing: write off to turn container classification off"};
  const uint32_t shifted = mask >> std::countr_zero(mask);
  if ((shifted & (shifted + 1)) != 0) {
    return Error{"the mark bits must be one contiguous range (e.g. 0x7f000000), got '" + text + "'"};
  }
  if (std::popcount(mask) < 2) return Error{"the mark range needs at least 2 bits, got '" + text + "'"};
  return mask;
}

uint32_t container_mark_rule_capacity(uint32_t mask) {
  if (mask == 0) return 0;
  return (mask >> std::countr_zero(mask)) - 1;
}

}  // namespace nettoll
