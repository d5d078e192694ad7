// SPDX-License-Identifier: Apache-2.0
// ClassifierPath: how process rules and reserved streams reach packets. The eBPF path tags
// sockets from their creation (BpfPath); where the kernel refuses it, the
// fallback puts u32 filters on the local ports of matched processes, polled
// from sock_diag (PortFilterPath). ProcessClassifier decides which process
// has which rule and hands that to the path.
#pragma once

#include <sys/types.h>

#include <chrono>
#include <nlohmann/json.hpp>
#include <optional>
#include <string>

#include "core/plan.h"
#include "core/process_table.h"
#include "core/result.h"
#include "kernel/netlink_socket.h"

namespace nettoll {

// Which path the daemon may use: `auto` tries eBPF and falls back to u32.
enum class ClassifierMode { automatic, bpf, u32 };

// "auto", "bpf", "u32" → the mode; nullopt for anything else.
std::optional<ClassifierMode> parse_classifier_mode(const std::string& text);

class ClassifierPath {
 public:
  virtual ~ClassifierPath() = default;

  // "bpf" or "u32", as status and --classifier name it.
  virtual std::string name() const = 0;

  // Follows `plan`: the rule classes, the reserved streams' classes, and the
  // interface and IFB to classify on (moving off the previous ones, or off
  // everything when the plan has no interface, rules or streams).
  virtual Result<void> attach(const Plan& plan, NetlinkSocket& socket) = 0;

  // Before the shaper applies `next`: stops sending reserved streams to
  // classes `next` no longer has (the kernel refuses to delete an HTB class
  // a filter still points to). attach(next) then adds the new ones.
  virtual Result<void> release_streams(const Plan& next, NetlinkSocket& socket) = 0;

  // Process `pid` now has rule `rule` (0: none any more).
  virtual void set_process_rule(pid_t pid, ProcessRuleId rule) = 0;

  // Narrows the proc connector socket `fd` to the events the daemon needs
  // (forks only of processes with a rule), where the path can; false when it
  // cannot, and every fork keeps arriving.
  virtual bool filter_process_events(int /*fd*/) { return false; }

  // How often refresh() wants to run; nullopt: never (event-driven).
  virtual std::optional<std::chrono::milliseconds> refresh_interval() const { return std::nullopt; }

  // Periodic work (the fallback's socket poll). Errors are logged here.
  virtual void refresh(NetlinkSocket& /*socket*/) {}

  // The host-side container links classified, for `nettoll status`
  // (see ContainerLinks::status); [] on paths without them.
  virtual nlohmann::json container_links() const { return nlohmann::json::array(); }

  // The kernel's per-process accounting map while the path counts on an
  // interface (see kernel/process_traffic_map.h); -1 when it does not.
  virtual int process_traffic_fd() const { return -1; }
};

}  // namespace nettoll
