// SPDX-License-Identifier: Apache-2.0
// The planner: config + observed interface + kernel capabilities → Plan.
// Pure: no syscalls, so every decision is unit-tested and golden-tested.
#pragma once

#include <map>
#include <string>

#include "core/config.h"
#include "core/plan.h"
#include "core/reserved_stream.h"
#include "core/stream_classes.h"

namespace nettoll {

// What the kernel offers, probed by the adapters at run time.
struct KernelCapabilities {
  bool has_fq_codel = false;
  int hz = 250;             // CONFIG_HZ: the timer tick that bounds how often shapers wake
  bool hz_assumed = false;  // no kernel config was readable: hz is a guess
};

// What the kernel says about an `interfaces:` device: the frame it sends.
struct ListedDevice {
  uint32_t mtu = 1500;
  uint32_t link_header_bytes = 14;  // Ethernet; 0 for tun, WireGuard, IP tunnels
};
// Listed devices present now, by name; an absent one is planned with
// Ethernet defaults (noted) and applied when it appears.
using ListedDevices = std::map<std::string, ListedDevice>;

// The interface the plan is for.
struct ManagedInterface {
  std::string name;
  uint32_t mtu = 1500;
  // Largest packet the stack hands the qdisc at once (GSO/TSO/GRO aggregate):
  // a queue that cannot hold one drops every large TCP send.
  uint32_t gso_max_size = 65536;
};

// Rate used as "unlimited" for a direction without a global limit, as
// TrafficToll does: classes may borrow up to it.
inline constexpr Rate kUnlimitedRate = Rate::bits_per_second(10'000'000'000ULL);

// The IFB that carries `interface`'s ingress: "ntb-" + name, cut to IFNAMSIZ-1.
std::string ifb_name_for(const std::string& interface);

// The IFB that carries an `interfaces:` device's ingress tbf: "ntl-" + name,
// cut to IFNAMSIZ-1.
std::string tbf_ifb_name_for(const std::string& interface);

// Builds the Plan. Directions without a global limit and without process rules
// get no tree; minimums that do not fit under a limit are scaled down (noted).
// `interfaces:` limits are planned whether or not there is a managed interface
// (`link.name` empty); the managed interface's own limit becomes the parent of
// its HTB tree where it has one in that direction.
// Each viewer of the active `streams` gets a class in each direction that
// has a tree and a reserved rate (rate = reserved, ceil = the global limit,
// prio = reservations.reservation-priority), keeping the minor
// `previous_slots` gave it (pass stream_slots_of(the last plan)); `bulk`
// classes' ceils give way by the total reserved, never below their rate.
// Streams create no tree by themselves: without a limit there is nothing to
// protect them from.
Plan make_plan(const Config& config, const ManagedInterface& link, const KernelCapabilities& kernel,
               const ListedDevices& devices = {}, const std::vector<ReservedStream>& streams = {},
               const StreamSlots& previous_slots = {});

}  // namespace nettoll
