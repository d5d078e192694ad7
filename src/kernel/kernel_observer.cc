// SPDX-License-Identifier: Apache-2.0
#include "kernel/kernel_observer.h"

#include "kernel/htb_classes.h"
#include "kernel/ingress_redirect.h"
#include "kernel/link_gso.h"
#include "kernel/links.h"
#include "kernel/qdiscs.h"

namespace nettoll {
namespace {

ObservedQdisc observed_qdisc(const QdiscInfo& info) {
  ObservedQdisc qdisc;
  qdisc.kind = info.kind;
  qdisc.handle = info.handle;
  qdisc.parent = info.parent;
  qdisc.root = info.root;
  qdisc.htb_default = info.htb_default;
  qdisc.limit_bytes = info.limit_bytes;
  qdisc.limit_packets = info.limit_packets;
  qdisc.tbf_rate = info.tbf_rate;
  qdisc.tbf_burst = info.tbf_burst_bytes;
  return qdisc;
}

ObservedClass observed_class(const ClassInfo& info) {
  return ObservedClass{info.id,   info.parent,  info.rate,        info.ceil,
                       info.prio, info.quantum, info.burst_bytes, info.cburst_bytes};
}

Result<ObservedDevice> observe_device(NetlinkSocket& socket, const std::string& name) {
  ObservedDevice device;
  auto link = find_link(socket, name);
  if (!link) return device;  // absent
  device.exists = true;
  auto gso = read_gso_limits(socket, link->ifindex, name);
  if (!gso) return Error{gso.error()};
  device.gso_max_size = gso->gso_max_size;
  // Kernels before 5.19 neither report nor take a GRO size: treat it as in line.
  device.gro_max_size = gso->gro_max_size ? gso->gro_max_size : gso->gso_max_size;
  auto qdiscs = list_qdiscs(socket, link->ifindex);
  if (!qdiscs) return Error{qdiscs.error()};
  for (const QdiscInfo& info : *qdiscs) {
    if (info.kind == "clsact") {
      device.has_clsact = true;
      continue;
    }
    device.qdiscs.push_back(observed_qdisc(info));
  }
  auto classes = list_classes(socket, link->ifindex);
  if (!classes) return Error{classes.error()};
  for (const ClassInfo& info : *classes) device.classes.push_back(observed_class(info));
  if (device.has_clsact) {
    auto filters = list_clsact_filters(socket, link->ifindex, name);
    if (!filters) return Error{filters.error()};
    device.has_ingress_redirect = filters->has_redirect;
    device.other_clsact_filters = filters->others;
  }
  return device;
}

}  // namespace

Result<ObservedKernel> observe_devices(NetlinkSocket& socket, const std::vector<std::string>& devices) {
  ObservedKernel observed;
  for (const std::string& name : devices) {
    auto device = observe_device(socket, name);
    if (!device) return Error{device.error()};
    observed.devices[name] = std::move(*device);
  }
  auto links = list_links(socket);
  if (!links) return Error{links.error()};
  for (const LinkInfo& link : *links) {
    if (link.kind == "ifb") observed.ifb_devices.push_back(link.name);
  }
  return observed;
}

}  // namespace nettoll
