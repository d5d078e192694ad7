// SPDX-License-Identifier: Apache-2.0
#include "core/stream_classes.h"

#include <fmt/format.h>

#include <algorithm>
#include <set>

namespace nettoll {
namespace {

bool is_single_address(const Cidr& remote) { return remote.prefix_length == (remote.ipv6 ? 128 : 32); }

// Viewers in order of first appearance, their reservations added up.
std::vector<ViewerClass> group_by_viewer(const std::vector<ReservedStream>& streams,
                                         std::vector<std::string>& notes) {
  std::vector<ViewerClass> viewers;
  for (const ReservedStream& stream : streams) {
    if (!is_single_address(stream.remote)) {
      notes.push_back(fmt::format("reservation {}: {} is not a single address: its stream gets no class",
                                  stream.id, format_cidr(stream.remote)));
      continue;
    }
    auto same = std::find_if(viewers.begin(), viewers.end(),
                             [&](const ViewerClass& viewer) { return viewer.remote == stream.remote; });
    if (same == viewers.end()) {
      viewers.push_back(ViewerClass{stream.remote, stream.id, stream.upload, stream.download, 0});
    } else {
      same->streams += "," + stream.id;
      same->upload = same->upload + stream.upload;
      same->download = same->download + stream.download;
    }
  }
  return viewers;
}

}  // namespace

std::vector<ViewerClass> assign_stream_classes(const std::vector<ReservedStream>& streams,
                                               const StreamSlots& previous, std::vector<std::string>& notes) {
  std::vector<ViewerClass> viewers = group_by_viewer(streams, notes);
  std::set<uint16_t> taken;
  for (ViewerClass& viewer : viewers) {
    auto kept = previous.find(format_cidr(viewer.remote));
    if (kept == previous.end() || kept->second < kFirstStreamClassMinor ||
        kept->second > kLastStreamClassMinor || taken.contains(kept->second)) {
      continue;
    }
    viewer.minor = kept->second;
    taken.insert(viewer.minor);
  }
  uint16_t next = kFirstStreamClassMinor;
  for (ViewerClass& viewer : viewers) {
    if (viewer.minor) continue;
    while (next <= kLastStreamClassMinor && taken.contains(next)) ++next;
    if (next > kLastStreamClassMinor) {
      notes.push_back(fmt::format("reservations {}: more viewers than the {} stream classes: no class for {}",
                                  viewer.streams, kLastStreamClassMinor - kFirstStreamClassMinor + 1,
                                  format_cidr(viewer.remote)));
      continue;
    }
    viewer.minor = next;
    taken.insert(next);
  }
  std::erase_if(viewers, [](const ViewerClass& viewer) { return viewer.minor == 0; });
  std::sort(viewers.begin(), viewers.end(),
            [](const ViewerClass& a, const ViewerClass& b) { return a.minor < b.minor; });
  return viewers;
}

StreamSlots stream_slots_of(const Plan& plan) {
  StreamSlots slots;
  for (const StreamClassifierEntry& entry : plan.streams) {
    const uint16_t minor = entry.egress_class.minor ? entry.egress_class.minor : entry.ingress_class.minor;
    if (minor) slots[format_cidr(entry.remote)] = minor;
  }
  return slots;
}

}  // namespace nettoll
