// SPDX-License-Identifier: Apache-2.0
#include "core/kernel_change.h"

#include <fmt/format.h>

#include "core/kernel_state.h"

namespace nettoll {
namespace {

std::string describe_class(const char* verb, const std::string& device, const HtbClass& c) {
  return fmt::format("{} htb class {} on {} ({}: rate {} ceil {} prio {})", verb, format_handle(c.id), device,
                     c.rule, format_rate(c.rate), format_rate(c.ceil), c.prio);
}

struct Describer {
  std::string operator()(const CreateIfb& c) const { return "create ifb " + c.name; }
  std::string operator()(const DeleteIfb& c) const { return "delete ifb " + c.name; }
  std::string operator()(const ReplaceRootHtb& c) const {
    return fmt::format("put htb {} at the root of {} (default {})", format_handle(c.handle), c.device,
                       format_handle(Handle{c.handle.major, c.default_minor}));
  }
  std::string operator()(const DeleteRootQdisc& c) const {
    return "delete the root qdisc of " + c.device + " (the kernel's default returns)";
  }
  std::string operator()(const AddClass& c) const { return describe_class("add", c.device, c.htb_class); }
  std::string operator()(const ChangeClass& c) const {
    return describe_class("change", c.device, c.htb_class);
  }
  std::string operator()(const DeleteClass& c) const {
    return fmt::format("delete htb class {} on {}", format_handle(c.id), c.device);
  }
  std::string operator()(const ReplaceLeaf& c) const {
    const char* kind = c.leaf.kind == LeafQueueKind::fq_codel ? "fq_codel" : "bfifo";
    return fmt::format("put {} {} under class {} on {}", kind, format_handle(c.leaf.handle),
                       format_handle(c.parent), c.device);
  }
  std::string operator()(const AddIngressRedirect& c) const {
    return fmt::format("redirect the ingress of {} to {}{}", c.device, c.ifb,
                       c.create_clsact ? " (adds clsact)" : "");
  }
  std::string operator()(const RemoveIngressRedirect& c) const {
    return fmt::format("stop redirecting the ingress of {}{}", c.device,
                       c.delete_clsact ? " (removes clsact)" : "");
  }
  std::string operator()(const SetGsoLimit& c) const {
    return fmt::format("set the gso/gro size of {} to {} bytes", c.device, c.size);
  }
  std::string operator()(const ReplaceRootTbf& c) const {
    return fmt::format("put tbf {} at the root of {} (rate {} burst {}b limit {}b)",
                       format_handle(Handle{kTbfMajor, 0}), c.device, format_rate(c.tbf.rate),
                       c.tbf.burst_bytes, c.tbf.limit_bytes);
  }
};

}  // namespace

std::string describe(const KernelChange& change) { return std::visit(Describer{}, change); }

}  // namespace nettoll
