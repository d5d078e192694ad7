// SPDX-License-Identifier: Apache-2.0
// KernelChange: one step the reconciler asks the kernel adapters to take.
#pragma once

#include <string>
#include <variant>
#include <vector>

#include "core/plan.h"

namespace nettoll {

struct CreateIfb {
  std::string name;
};
struct DeleteIfb {
  std::string name;
};
// Puts nettoll's HTB at the device's root, replacing the kernel's default qdisc
// (or nettoll's own leftover of another kind).
struct ReplaceRootHtb {
  std::string device;
  Handle handle;
  uint16_t default_minor = 0;
};
// Deletes the root qdisc: the kernel re-attaches its default one.
struct DeleteRootQdisc {
  std::string device;
};
struct AddClass {
  std::string device;
  HtbClass htb_class;
};
struct ChangeClass {
  std::string device;
  HtbClass htb_class;
};
struct DeleteClass {
  std::string device;
  Handle id;
};
struct ReplaceLeaf {
  std::string device;
  Handle parent;
  LeafQueue leaf;
};
// clsact on `device` plus a filter redirecting its ingress to `ifb`.
struct AddIngressRedirect {
  std::string device;
  std::string ifb;
  bool create_clsact = true;
};
struct RemoveIngressRedirect {
  std::string device;
  bool delete_clsact = true;  // only when no one else's filter sits on it
};
// Sets the interface's GSO and GRO aggregate size (IFLA_GSO/GRO_MAX_SIZE).
struct SetGsoLimit {
  std::string device;
  uint32_t size = 0;
};
struct ReplaceRootTbf {
  std::string device;
  TbfPlan tbf;
};

using KernelChange =
    std::variant<CreateIfb, DeleteIfb, ReplaceRootHtb, DeleteRootQdisc, AddClass, ChangeClass, DeleteClass,
                 ReplaceLeaf, AddIngressRedirect, RemoveIngressRedirect, ReplaceRootTbf, SetGsoLimit>;

// "add htb class 7a:10 on eth0 (rate 80kbit ceil 2mbit prio 0)" — for logs,
// dry runs and error messages.
std::string describe(const KernelChange& change);

}  // namespace nettoll
