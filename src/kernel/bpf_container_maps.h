// SPDX-License-Identifier: Apache-2.0
// The classifier's container maps (src/bpf/container_links.bpf.h) as
// userspace keeps them: host-side link → the peer's nsid, the mark bits,
// and the flows the uplink recorded (read for status, expired and
// removed with their link).
#pragma once

#include <cstdint>
#include <map>

#include "core/result.h"

namespace nettoll {

struct ContainerMapFds {
  int links = -1;
  int settings = -1;
  int flows = -1;
};

// Turns container classification on with the skb->mark bits `mark_mask`
// (0: off) and tells the programs how many links are in the map. Fails when
// the kernel refuses the write.
Result<void> write_container_settings(const ContainerMapFds& maps, uint32_t mark_mask, uint32_t link_count);

// Adds or replaces link `ifindex`, whose peer lives in namespace `nsid`
// (as the daemon's namespace numbers it). Fails when the map is full.
Result<void> write_container_link(const ContainerMapFds& maps, int ifindex, int32_t nsid);

// Removes link `ifindex` and every flow recorded through it; none there is
// not an error. Returns how many flows went.
size_t delete_container_link(const ContainerMapFds& maps, int ifindex);

// Removes the flows whose last upload packet is older than the programs'
// timeout at monotonic time `now_ns`. Returns how many went.
size_t expire_container_flows(const ContainerMapFds& maps, uint64_t now_ns);

// Recorded flows per host-side ifindex (0: the link was not known).
std::map<int, size_t> count_container_flows(const ContainerMapFds& maps);

// CLOCK_MONOTONIC in nanoseconds, the clock of bpf_ktime_get_ns.
uint64_t monotonic_now_ns();

}  // namespace nettoll
