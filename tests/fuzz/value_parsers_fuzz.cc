// SPDX-License-Identifier: Apache-2.0
// The parsers of config values (rates, durations, CIDRs, addresses) on
// arbitrary text: an error or a value, and a value's printed form parses
// back to the same value (rates and durations to 6 significant digits, as
// they are printed).
#include <cmath>
#include <cstddef>
#include <cstdint>
#include <string_view>

#include "core/cidr.h"
#include "core/duration.h"
#include "core/rate.h"
#include "fuzz_check.h"

namespace {

using nettoll::fuzz::check;

bool close_enough(double a, double b) { return std::fabs(a - b) <= 1e-5 * std::fabs(a); }

void fuzz_rate(std::string_view text) {
  auto rate = nettoll::parse_rate(text);
  if (!rate) {
    check(!rate.error().empty(), "a rate error has a message");
    return;
  }
  check(!rate->is_zero(), "a parsed rate is not zero");
  auto again = nettoll::parse_rate(nettoll::format_rate(*rate));
  check(bool(again), "a formatted rate parses");
  check(close_enough(double(rate->bits_per_second()), double(again->bits_per_second())),
        "a formatted rate parses back to the same rate");
}

void fuzz_duration(std::string_view text) {
  auto duration = nettoll::parse_duration(text);
  if (!duration) {
    check(!duration.error().empty(), "a duration error has a message");
    return;
  }
  check(duration->count() >= 0, "a parsed duration is not negative");
  auto again = nettoll::parse_duration(nettoll::format_duration(*duration));
  check(bool(again), "a formatted duration parses");
  check(close_enough(double(duration->count()), double(again->count())),
        "a formatted duration parses back to the same duration");
}

void fuzz_cidr(std::string_view text) {
  for (auto parse : {&nettoll::parse_cidr, &nettoll::parse_ip_address}) {
    auto cidr = parse(text);
    if (!cidr) {
      check(!cidr.error().empty(), "a CIDR error has a message");
      continue;
    }
    check(cidr->prefix_length >= 0 && cidr->prefix_length <= (cidr->ipv6 ? 128 : 32), "prefix in range");
    check(cidr->contains(cidr->ipv6, cidr->address), "a network contains its own address");
    auto again = nettoll::parse_cidr(nettoll::format_cidr(*cidr));
    check(bool(again) && *again == *cidr, "a formatted CIDR parses back to the same network");
  }
}

}  // namespace

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size) {
  const std::string_view text(reinterpret_cast<const char*>(data), size);
  fuzz_rate(text);
  fuzz_duration(text);
  fuzz_cidr(text);
  return 0;
}
