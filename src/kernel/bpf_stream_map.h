// SPDX-License-Identifier: Apache-2.0
// The classifier's reserved-stream maps (src/bpf/stream_classes.bpf.h) as
// BpfClassifier writes them: viewer address → the classes of its packets,
// IPv4 and IPv6, and the entry count the tc programs check first.
#pragma once

#include <cstdint>

#include "core/cidr.h"
#include "core/result.h"

namespace nettoll {

struct StreamMapFds {
  int ipv4 = -1;
  int ipv6 = -1;
  int count = -1;
};

// Sets (or replaces) `remote`'s entry and counts it if it is new. Fails
// when `remote` is not a single address or the map is full.
Result<void> write_stream_entry(const StreamMapFds& maps, const Cidr& remote, uint32_t egress_priority,
                                uint32_t ingress_priority);

// Removes `remote`'s entry and uncounts it; no entry is not an error.
void delete_stream_entry(const StreamMapFds& maps, const Cidr& remote);

// How many viewers have an entry.
uint32_t read_stream_count(const StreamMapFds& maps);

}  // namespace nettoll
