// SPDX-License-Identifier: Apache-2.0
#include "core/foreign_shaper.h"

#include <fmt/format.h>
#include <fmt/ranges.h>

#include <vector>

#include "core/plan.h"

namespace nettoll {
namespace {

// A root qdisc nettoll did not create: neither the kernel's default (no
// handle of its own) nor nettoll's HTB or TBF.
const ObservedQdisc* foreign_root(const ObservedDevice& device) {
  for (const ObservedQdisc& qdisc : device.qdiscs) {
    if (!qdisc.root || qdisc.handle.major == 0) continue;
    const bool ours = (qdisc.kind == "htb" && qdisc.handle.major == kHtbMajor) ||
                      (qdisc.kind == "tbf" && qdisc.handle.major == kTbfMajor);
    if (!ours) return &qdisc;
  }
  return nullptr;
}

// An `ingress` qdisc (nettoll uses clsact, which cannot sit beside it).
const ObservedQdisc* ingress_qdisc(const ObservedDevice& device) {
  for (const ObservedQdisc& qdisc : device.qdiscs) {
    if (qdisc.kind == "ingress") return &qdisc;
  }
  return nullptr;
}

// IFB devices that are not nettoll's own (those are named ntb-IF).
std::vector<std::string> other_ifbs(const ObservedKernel& observed) {
  std::vector<std::string> names;
  for (const std::string& name : observed.ifb_devices) {
    if (!name.starts_with("ntb-")) names.push_back(name);
  }
  return names;
}

}  // namespace

std::optional<std::string> foreign_shaper_problem(const std::string& device, const ObservedKernel& observed,
                                                  bool replaces_root) {
  const ObservedDevice& state = observed.device(device);
  const ObservedQdisc* root = foreign_root(state);
  if (!root) return std::nullopt;
  const ObservedQdisc* ingress = ingress_qdisc(state);
  const std::vector<std::string> ifbs = other_ifbs(observed);
  const bool traffictoll = root->kind == "htb" && (ingress || !ifbs.empty());
  if (!replaces_root && !traffictoll) return std::nullopt;  // download only: the root stays theirs
  std::vector<std::string> found{fmt::format("a root qdisc {} {}", root->kind, format_handle(root->handle))};
  std::vector<std::string> commands{fmt::format("tc qdisc del dev {} root", device)};
  if (ingress) {
    found.push_back("an ingress qdisc");
    commands.push_back(fmt::format("tc qdisc del dev {} ingress", device));
  }
  if (traffictoll) {
    for (const std::string& ifb : ifbs) {
      found.push_back("IFB device " + ifb);
      commands.push_back("ip link del " + ifb);
    }
  }
  return fmt::format(
      "{} has {} that nettoll did not create{}: another program shapes it, and nettoll will not replace "
      "that. {}remove {} ({}) and restart nettoll",
      device, fmt::join(found, ", "),
      traffictoll ? " (what TrafficToll and tt-bandwidth-manager leave behind)" : "",
      traffictoll ? "Stop that program (systemctl disable --now tt-bandwidth-manager), then "
                  : "Stop that program, ",
      found.size() > 1 ? "them" : "it", fmt::join(commands, "; "));
}

}  // namespace nettoll
