// SPDX-License-Identifier: Apache-2.0
// ProcessClassifier: puts each process's traffic in its rule's classes.
// Process events (fork/exec/exit) and an initial /proc scan keep the pure
// ProcessTable current (without the proc connector, outside the initial
// network namespace: a /proc rescan every kRescanInterval while rules exist);
// each process's rule goes to the classifier path:
// eBPF where the kernel allows it (exact from the first packet), else u32
// port filters polled from sock_diag. The path follows the plan's interface.
#pragma once

#include <chrono>
#include <memory>
#include <nlohmann/json.hpp>
#include <optional>
#include <set>
#include <string>
#include <vector>

#include "core/config.h"
#include "core/container_engine_names.h"
#include "core/plan.h"
#include "core/process_table.h"
#include "core/result.h"
#include "daemon/classifier_path.h"
#include "kernel/netlink_socket.h"
#include "kernel/proc_connector.h"
#include "kernel/process_exit_watch.h"

namespace nettoll {

// How often /proc is rescanned for processes with a rule when there are no
// process events (the proc connector answers only in the initial network
// namespace: a container, or a daemon started inside a namespace without
// --netns): a process is classified at most this long after its exec.
inline constexpr std::chrono::milliseconds kRescanInterval{1000};

class ProcessClassifier {
 public:
  // Opens the process-event source (so: before entering another network
  // namespace); where the proc connector cannot be opened, says why in the
  // log and falls back to rescanning /proc (see kRescanInterval). The path is chosen, and the BPF programs
  // loaded (their socket program attached to the cgroup v2 directory `cgroup_path`, "" = the root), only once
  // a config has process rules: without rules nothing changes in the kernel.
  static Result<std::unique_ptr<ProcessClassifier>> open(const std::string& cgroup_path, ClassifierMode mode);

  // The proc connector's socket; -1 without one (rules are then found by
  // refresh()'s rescans).
  int events_fd() const { return connector_ ? connector_->fd() : -1; }
  // Readable when a process with a rule has exited (see on_exits).
  int exits_fd() const { return exit_watch_.fd(); }

  // Reads pending process events and updates the path. True when a process
  // got a rule, so a polling path should look at its sockets soon.
  bool on_events();
  // Forgets the processes with a rule that exited.
  void on_exits();

  // Classifies for `plan` with `rules`: the path follows the plan's classes
  // and interface, and every process is re-evaluated when the rules changed.
  // Fails when the path cannot be set up (with mode bpf: when the kernel
  // refuses eBPF).
  Result<void> apply(const Plan& plan, const std::vector<ProcessRule>& rules, NetlinkSocket& socket);

  // Call before the shaper applies `next`: reserved streams stop pointing
  // at classes `next` drops (see ClassifierPath::release_streams).
  Result<void> release_streams(const Plan& next, NetlinkSocket& socket);

  // How often refresh() must run while rules exist (the path's poll, and the
  // rescan without process events); nullopt: never.
  std::optional<std::chrono::milliseconds> refresh_interval() const;
  void refresh(NetlinkSocket& socket);

  // Where container names come from (the engines' APIs): `container:`
  // predicates then match a container's name as well as its id.
  void set_container_namer(ContainerNamer namer) { container_namer_ = std::move(namer); }
  // Containers got names: processes are matched again when rules look at them.
  void on_container_names();

  // pid → rule name of every process with a rule, for `nettoll status`.
  nlohmann::json matched_processes() const;
  // {"path": "bpf"|"u32"|"none", "reason": why the fallback is used,
  //  "process_events": "proc connector"|"rescan", "process_events_reason"}.
  nlohmann::json path_status() const;
  // "bpf", "u32" or "none" (no rules: no path).
  // "u32" also when accounting alone asked for a path and only the port
  // filters were possible (they count nothing, so none is kept).
  std::string path_name() const { return path_ ? path_->name() : counting_refused_ ? "u32" : "none"; }
  // The per-process accounting map, or -1 (see ClassifierPath).
  int process_traffic_fd() const { return path_ ? path_->process_traffic_fd() : -1; }

 private:
  ProcessClassifier(std::optional<ProcConnector> connector, std::string no_connector_reason,
                    ProcessExitWatch exit_watch, std::string cgroup_path, ClassifierMode mode)
      : connector_(std::move(connector)),
        no_connector_reason_(std::move(no_connector_reason)),
        exit_watch_(std::move(exit_watch)),
        cgroup_path_(std::move(cgroup_path)),
        cgroup_scope_(cgroup_scope_of(cgroup_path_)),
        mode_(mode) {}
  // The cgroup v2 path (as /proc/PID/cgroup shows it) of the directory
  // `cgroup_path`, "" for the whole machine.
  static std::string cgroup_scope_of(const std::string& cgroup_path);
  // Only processes in cgroup_scope_ get a rule: with --cgroup the daemon
  // classifies only there, and a same-named process elsewhere is not its own.
  std::vector<ScannedProcess> in_scope(std::vector<ScannedProcess> scanned) const;
  // What /proc must give for `rules` (and for the scope).
  std::set<std::string> attributes_read(const std::vector<ProcessRule>& rules) const;
  Result<void> choose_path();
  // Detaches the path from everything (following `plan`) and forgets the processes.
  void drop_path(const Plan& plan, NetlinkSocket& socket);
  // Without process events a config with rules needs a readable /proc.
  Result<void> check_rescan_possible() const;
  void rescan();
  // Hands the changes to the path and watches the exits of processes with a
  // rule; true when a process got a rule.
  bool apply_rule_changes(const std::vector<ProcessRuleChange>& changes);
  // Forgets the processes that exited without an exit event: the watched
  // ones at once (on_exits), the others in batches (prune_if_grown).
  void forget_exited(const std::vector<pid_t>& pids);
  // With forks filtered in the kernel, a process that just got a rule may
  // have forked before the filter knew it: its children are read from /proc.
  void adopt_unseen_children(const std::vector<pid_t>& parents);
  void prune_if_grown();
  // Logs a process getting `rule`: at info for the rule's first process since
  // the rules were set (TrafficToll's "Shaping traffic for..."), else debug.
  void log_match(pid_t pid, ProcessRuleId rule);

  std::optional<ProcConnector> connector_;  // fork, exec, comm, uid: exits are dropped in the kernel
  std::string no_connector_reason_;         // why there is no connector
  std::chrono::steady_clock::time_point last_rescan_;
  ProcessExitWatch exit_watch_;
  size_t pruned_size_ = 0;       // the table's size after the last prune
  bool forks_filtered_ = false;  // only forks of matched processes arrive
  std::string cgroup_path_;
  std::string cgroup_scope_;
  ClassifierMode mode_;
  std::unique_ptr<ClassifierPath> path_;  // chosen while there are rules
  std::string fallback_reason_;
  bool counting_refused_ = false;  // accounting without rules, and no eBPF path for it
  ProcessTable table_;
  std::vector<ProcessRule> rules_;
  std::set<std::string> attributes_;   // what the rules read from /proc
  std::set<ProcessRuleId> announced_;  // rules whose first process was logged
  ContainerNamer container_namer_;     // none: containers are matched by id
};

}  // namespace nettoll
