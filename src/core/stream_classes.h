// SPDX-License-Identifier: Apache-2.0
// Stream classes: which HTB class each reserved stream's viewer gets. The
// kernel classifies a stream's packets by the viewer's address, so the class
// belongs to the address: two sessions of one viewer share a class carrying
// both reservations. A viewer keeps its class minor from plan to plan while
// others come and go, so a stream's traffic never moves between classes.
#pragma once

#include <cstdint>
#include <map>
#include <string>
#include <vector>

#include "core/plan.h"
#include "core/reserved_stream.h"

namespace nettoll {

// Class minors by viewer address (as format_cidr prints it).
using StreamSlots = std::map<std::string, uint16_t>;

// One viewer's reservations, added up, and its class minor.
struct ViewerClass {
  Cidr remote;
  std::string streams;  // the reservation ids, comma-separated, in input order
  Rate upload;
  Rate download;
  uint16_t minor = 0;
  bool operator==(const ViewerClass&) const = default;
};

// Groups `streams` by viewer address and gives each viewer a minor in
// [kFirstStreamClassMinor, kLastStreamClassMinor]: the one `previous` gave
// it, else the lowest free one (slots of viewers that left are reused).
// Returned by minor. Streams whose remote is not a single address, and
// viewers beyond the range, get no class; each such case adds a note.
std::vector<ViewerClass> assign_stream_classes(const std::vector<ReservedStream>& streams,
                                               const StreamSlots& previous, std::vector<std::string>& notes);

// The minors `plan` gave its viewers: what the next make_plan takes as
// `previous_slots`, so a viewer keeps its class.
StreamSlots stream_slots_of(const Plan& plan);

}  // namespace nettoll
