// SPDX-License-Identifier: Apache-2.0
// ReservedStream: a reservation as the planner sees it. While a remote viewer
// streams, traffic to its address (upload) and from it (download) gets a class
// of its own with the reserved rate, and `bulk: true` classes give way.
// Produced by the reservation book (local viewers and paused sessions are not
// streams), consumed by the planner and the classifier paths.
#pragma once

#include <string>

#include "core/cidr.h"
#include "core/rate.h"

namespace nettoll {

struct ReservedStream {
  std::string id;  // the reservation's id (a Tautulli session, an API id)
  Cidr remote;     // the viewer's address: a /32 or /128
  Rate upload;     // reserved towards the viewer (egress)
  Rate download;   // reserved from the viewer (ingress)
  bool operator==(const ReservedStream&) const = default;
};

}  // namespace nettoll
