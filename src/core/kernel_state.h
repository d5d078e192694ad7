// SPDX-License-Identifier: Apache-2.0
// What the kernel holds on the devices nettoll manages, as plain values read
// by the kernel adapters. The reconciler compares it with a Plan.
#pragma once

#include <map>
#include <optional>
#include <string>
#include <vector>

#include "core/plan.h"

namespace nettoll {

struct ObservedQdisc {
  std::string kind;  // "htb", "bfifo", "fq_codel", "tbf", "clsact", "noqueue", ...
  Handle handle;
  Handle parent;
  bool root = false;  // attached at the device's root (TC_H_ROOT)
  uint16_t htb_default = 0;
  uint32_t limit_bytes = 0;    // bfifo, tbf
  uint32_t limit_packets = 0;  // fq_codel
  Rate tbf_rate;
  uint32_t tbf_burst = 0;  // bytes, as read back (rounded by tick conversion)
};

struct ObservedClass {
  Handle id;
  Handle parent;
  Rate rate;
  Rate ceil;
  int prio = 0;
  uint32_t quantum = 0;
  uint32_t burst = 0;  // bytes, as read back (rounded by tick conversion)
  uint32_t cburst = 0;
};

// The kernel's default GSO/GRO size, restored when nettoll stops shaping.
inline constexpr uint32_t kDefaultGsoMaxSize = 65536;

struct ObservedDevice {
  bool exists = false;
  uint32_t gso_max_size = kDefaultGsoMaxSize;
  uint32_t gro_max_size = kDefaultGsoMaxSize;
  std::vector<ObservedQdisc> qdiscs;
  std::vector<ObservedClass> classes;
  bool has_clsact = false;
  bool has_ingress_redirect = false;  // nettoll's redirect filter on clsact ingress
  size_t other_clsact_filters = 0;    // filters on clsact that are not nettoll's
};

struct ObservedKernel {
  std::map<std::string, ObservedDevice> devices;
  std::vector<std::string> ifb_devices;  // every IFB in the namespace, to name another shaper's

  const ObservedDevice& device(const std::string& name) const {
    static const ObservedDevice absent;
    auto it = devices.find(name);
    return it == devices.end() ? absent : it->second;
  }
};

// A TBF root qdisc carries this major so nettoll can tell it from the user's.
inline constexpr uint16_t kTbfMajor = 0x7b;

}  // namespace nettoll
