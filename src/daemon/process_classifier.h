// ProcessClassifier: puts each process's traffic in its rule's classes, from
// its first packet. Process events (fork/exec/exit) keep the BPF pid map
// current through the pure ProcessTable; sockets a process already holds are
// re-tagged when its rule changes; the tc programs follow the managed
// interface.
#pragma once

#include <memory>
#include <optional>
#include <nlohmann/json.hpp>
#include <string>
#include <vector>

#include "core/config.h"
#include "core/plan.h"
#include "core/process_table.h"
#include "core/result.h"
#include "kernel/bpf_classifier.h"
#include "kernel/netlink_socket.h"
#include "kernel/proc_connector.h"

namespace nettoll {

class ProcessClassifier {
 public:
  // Opens the process-event source (so: before entering another network
  // namespace). The BPF programs are loaded, and the socket program attached
  // to the cgroup v2 directory `cgroup_path` ("" = the cgroup v2 root), only
  // once a config has process rules: without rules nothing changes in the
  // kernel.
  static Result<std::unique_ptr<ProcessClassifier>> open(const std::string& cgroup_path);

  int events_fd() const { return connector_.fd(); }

  // Reads pending process events and updates the kernel's view.
  void on_events();

  // Classifies for `plan` with `rules`: rule classes in the BPF maps, the tc
  // programs on the plan's interface (moved or removed as the plan says), and
  // every process re-evaluated when the rules changed.
  Result<void> apply(const Plan& plan, const std::vector<ProcessRule>& rules, NetlinkSocket& socket);

  // pid → rule name of every process with a rule, for `nettoll status`.
  nlohmann::json matched_processes() const;

 private:
  ProcessClassifier(ProcConnector connector, std::string cgroup_path)
      : connector_(std::move(connector)), cgroup_path_(std::move(cgroup_path)) {}
  Result<void> load_bpf();
  void rescan();
  void apply_rule_changes(const std::vector<ProcessRuleChange>& changes);
  Result<void> attach_to(const Plan& plan, NetlinkSocket& socket);

  ProcConnector connector_;
  std::string cgroup_path_;
  std::optional<BpfClassifier> bpf_;  // loaded while there are rules
  ProcessTable table_;
  std::vector<ProcessRule> rules_;
  std::string attached_interface_;
  int attached_ifindex_ = 0;
};

// The cgroup v2 mount point, from /proc/self/mounts ("" when none).
std::string cgroup_v2_root();

}  // namespace nettoll
