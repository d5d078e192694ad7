// SPDX-License-Identifier: Apache-2.0
// The skb->mark bits that carry a container process's rule from its
// host-side veth to the uplink (config key `container-mark`).
#pragma once

#include <cstdint>
#include <string>

#include "core/result.h"

namespace nettoll {

// Bits 24-30 (126 rules): clear of kube-proxy's 0x4000/0x8000 and of
// Tailscale's 0xff0000 mask; Docker and Podman set no marks by default.
inline constexpr uint32_t kDefaultContainerMark = 0x7f000000;

// "0x00ff0000", "16711680" or "off" → the mask (0 for off). Fails with a
// message naming the problem when the text is no number, or the bits are
// not one contiguous range of at least 2 bits.
Result<uint32_t> parse_container_mark(const std::string& text);

// The highest rule id the mask can carry (all ones is "a container socket
// without a rule"): 126 for the default 7 bits.
uint32_t container_mark_rule_capacity(uint32_t mask);

}  // namespace nettoll
