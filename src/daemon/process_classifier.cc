// SPDX-License-Identifier: Apache-2.0
#include "daemon/process_classifier.h"

#include <fmt/format.h>
#include <spdlog/spdlog.h>

#include <algorithm>
#include <filesystem>

#include "daemon/bpf_path.h"
#include "daemon/logging.h"
#include "daemon/port_filter_path.h"
#include "kernel/process_info.h"

namespace nettoll {

std::optional<ClassifierMode> parse_classifier_mode(const std::string& text) {
  if (text == "auto") return ClassifierMode::automatic;
  if (text == "bpf") return ClassifierMode::bpf;
  if (text == "u32") return ClassifierMode::u32;
  return std::nullopt;
}

Result<std::unique_ptr<ProcessClassifier>> ProcessClassifier::open(const std::string& cgroup_path,
                                                                   ClassifierMode mode) {
  // Exit events would wake the daemon once more for every process on the
  // machine; the exits of processes with a rule come from pidfds instead.
  auto opened = ProcConnector::open(ExitEvents::dropped);
  std::optional<ProcConnector> connector;
  std::string no_connector_reason;
  if (opened) {
    connector = std::move(*opened);
  } else {
    // Shaping needs no process events; process rules then come from rescans.
    no_connector_reason = opened.error();
    spdlog::warn("no process events: {}; process rules, if any, are found by a /proc rescan every {} ms",
                 no_connector_reason, kRescanInterval.count());
  }
  auto exit_watch = ProcessExitWatch::create();
  if (!exit_watch) return Error{exit_watch.error()};
  return std::unique_ptr<ProcessClassifier>(new ProcessClassifier(
      std::move(connector), std::move(no_connector_reason), std::move(*exit_watch), cgroup_path, mode));
}

std::string ProcessClassifier::cgroup_scope_of(const std::string& cgroup_path) {
  // Not a cgroup v2 directory (the eBPF path then refuses it and says so):
  // no scope, as without --cgroup.
  const std::string root = cgroup_v2_root();
  std::error_code ignored;
  if (cgroup_path.empty() || root.empty() || !cgroup_path.starts_with(root) ||
      !std::filesystem::is_directory(cgroup_path, ignored)) {
    return "";
  }
  std::string scope = cgroup_path.substr(root.size());
  while (scope.size() > 1 && scope.back() == '/') scope.pop_back();
  if (!scope.starts_with('/')) scope.insert(0, "/");
  return scope;
}

std::vector<ScannedProcess> ProcessClassifier::in_scope(std::vector<ScannedProcess> scanned) const {
  if (cgroup_scope_.empty()) return scanned;
  std::erase_if(scanned, [this](const ScannedProcess& process) {
    return !in_cgroup_scope(process.attributes, cgroup_scope_);
  });
  return scanned;
}

std::set<std::string> ProcessClassifier::attributes_read(const std::vector<ProcessRule>& rules) const {
  std::set<std::string> attributes = attributes_used(rules);
  if (!cgroup_scope_.empty()) attributes.insert("cgroup");
  return attributes;
}

Result<void> ProcessClassifier::check_rescan_possible() const {
  if (connector_) return success();
  if (auto listed = list_processes(); !listed) {
    return Error{"process rules need process events, and neither source works: " + no_connector_reason_ +
                 "; " + listed.error()};
  }
  return success();
}

namespace {

// The eBPF pid map is keyed by the kernel's tgids, which are the pids of the
// initial pid namespace; a daemon in another one (a container) reads other
// pids from its /proc, so only the port filters can follow its processes.
std::optional<std::string> pid_namespace_problem() {
  constexpr std::string_view kInitialPidNamespace = "pid:[4026531836]";  // PROC_PID_INIT_INO
  std::error_code error;
  const std::string own = std::filesystem::read_symlink("/proc/self/ns/pid", error).string();
  if (error || own == kInitialPidNamespace) return std::nullopt;
  return "nettoll runs in a pid namespace (" + own +
         ", a container): the eBPF pid map needs the pids of the initial one";
}

}  // namespace

Result<void> ProcessClassifier::choose_path() {
  fallback_reason_.clear();
  if (const auto problem = pid_namespace_problem(); problem && mode_ != ClassifierMode::u32) {
    if (mode_ == ClassifierMode::bpf) {
      return Error{"per-process classification with eBPF (--classifier bpf) is not possible: " + *problem};
    }
    fallback_reason_ = *problem;
  } else if (mode_ != ClassifierMode::u32) {
    auto bpf = BpfPath::load(cgroup_path_);
    if (bpf) {
      path_ = std::move(*bpf);
      return success();
    }
    if (mode_ == ClassifierMode::bpf) {
      return Error{"per-process classification with eBPF (--classifier bpf) is not possible: " + bpf.error()};
    }
    fallback_reason_ = "eBPF classifier unavailable: " + bpf.error();
  } else {
    fallback_reason_ = "--classifier u32";
  }
  auto ports = PortFilterPath::open();
  if (!ports) return Error{"per-process classification is not possible: " + ports.error()};
  path_ = std::move(*ports);
  spdlog::warn(
      "per-process classification: u32 port filters, polled every {}-{} ms ({}); a new "
      "connection's first packets may use the default class until the next poll",
      kMinPortPollInterval.count(), kMaxPortPollInterval.count(), fallback_reason_);
  return success();
}

bool ProcessClassifier::apply_rule_changes(const std::vector<ProcessRuleChange>& changes) {
  if (!path_) return false;
  bool matched = false;
  std::vector<pid_t> already_gone, newly_matched;
  for (const ProcessRuleChange& change : changes) {
    if (change.new_rule != 0 && change.new_rule <= rules_.size()) {
      log_match(change.pid, change.new_rule);
      matched = true;
    }
    path_->set_process_rule(change.pid, change.new_rule);
    if (change.new_rule == 0) {
      exit_watch_.forget(change.pid);
      continue;
    }
    auto watched = exit_watch_.watch(change.pid);
    if (!watched) {
      // Alive but unwatched (out of descriptors, say): it keeps its rule
      // until a /proc prune finds it gone.
      spdlog::error("{}; it keeps rule {} until it leaves /proc", watched.error(), change.new_rule);
    } else if (!*watched) {
      already_gone.push_back(change.pid);
      continue;
    }
    if (change.old_rule == 0) newly_matched.push_back(change.pid);
  }
  forget_exited(already_gone);
  if (forks_filtered_) adopt_unseen_children(newly_matched);
  return matched;
}

void ProcessClassifier::log_match(pid_t pid, ProcessRuleId rule_id) {
  const ProcessRule& rule = rules_[rule_id - 1];
  const ProcessAttributes* attributes = table_.attributes_of(pid);
  std::string process = std::to_string(pid);
  if (attributes) {
    for (const char* key : {"name", "exe", "username"}) {
      if (const auto found = attributes->values.find(key); found != attributes->values.end())
        process += fmt::format(" {}={}", key, found->second);
    }
  }
  const auto reason =
      attributes && !table_.inherited(pid) ? why_rule_matches(rule, *attributes) : std::nullopt;
  const std::string why =
      reason ? describe_reason(*reason) : "a descendant of a process it selects (recursive)";
  if (!announced_.insert(rule_id).second) {
    spdlog::debug("process {} matches rule '{}': {}", process, rule.name, why);
    return;
  }
  log_for_rule(rule.name,
               fmt::format("rule '{}' selects its first process: {} ({})", rule.name, process, why));
}

void ProcessClassifier::adopt_unseen_children(const std::vector<pid_t>& parents) {
  for (pid_t parent : parents) {
    for (pid_t child : children_of(parent)) {
      if (!table_.tracks(child)) (void)apply_rule_changes(table_.on_fork(child, parent));
    }
  }
}

void ProcessClassifier::forget_exited(const std::vector<pid_t>& pids) {
  for (pid_t pid : pids) (void)apply_rule_changes(table_.on_exit(pid));
}

void ProcessClassifier::on_exits() { forget_exited(exit_watch_.exited()); }

void ProcessClassifier::prune_if_grown() {
  // Unwatched processes leave no trace when they exit: every time the table
  // has doubled (plus a margin), drop those /proc no longer lists.
  if (table_.size() < 2 * pruned_size_ + 1024) return;
  auto running = list_processes();
  if (!running) {
    spdlog::error("{}; tracked processes are kept", running.error());
    return;
  }
  (void)apply_rule_changes(table_.prune(*running));
  pruned_size_ = table_.size();
}

void ProcessClassifier::rescan() {
  last_rescan_ = std::chrono::steady_clock::now();
  auto scanned = scan_processes(attributes_);
  if (!scanned) {
    spdlog::error("{}; tracked processes are kept", scanned.error());
    return;
  }
  for (ScannedProcess& process : *scanned) add_container_name(process.attributes, container_namer_);
  (void)apply_rule_changes(table_.on_scan(in_scope(std::move(*scanned))));
  pruned_size_ = table_.size();
}

void ProcessClassifier::on_container_names() {
  if (path_ && !rules_.empty() && attributes_.contains("container")) rescan();
}

bool ProcessClassifier::on_events() {
  if (!connector_) return false;
  auto batch = connector_->read_events();
  if (!batch) {
    spdlog::error("{}", batch.error());
    return false;
  }
  if (!path_ || rules_.empty()) return false;  // no rules: nothing to keep track of
  if (batch->overflowed) {
    spdlog::warn("process events were lost: rescanning /proc");
    rescan();
    return true;
  }
  bool matched = false;
  for (const ProcEvent& event : batch->events) {
    switch (event.kind) {
      case ProcEvent::fork:
        matched |= apply_rule_changes(table_.on_fork(event.pid, event.parent_tgid));
        break;
      case ProcEvent::exit:  // only when the kernel did not take the event filter
        matched |= apply_rule_changes(table_.on_exit(event.pid));
        break;
      case ProcEvent::exec:
      case ProcEvent::comm:
      case ProcEvent::uid:
        if (auto attributes = read_process(event.pid, attributes_);
            attributes && in_cgroup_scope(*attributes, cgroup_scope_)) {
          add_container_name(*attributes, container_namer_);
          const pid_t ppid = ppid_of(*attributes);
          matched |= apply_rule_changes(table_.on_exec(event.pid, ppid, std::move(*attributes)));
        }
        break;
    }
  }
  prune_if_grown();
  return matched;
}

Result<void> ProcessClassifier::release_streams(const Plan& next, NetlinkSocket& socket) {
  return path_ ? path_->release_streams(next, socket) : success();
}

void ProcessClassifier::drop_path(const Plan& plan, NetlinkSocket& socket) {
  if (path_) (void)path_->attach(plan, socket);
  path_.reset();
  rules_.clear();
  announced_.clear();
  attributes_.clear();
  table_ = ProcessTable();
  pruned_size_ = 0;
  if (forks_filtered_) connector_->restore_event_filter();  // the eBPF filter's map goes with the path
  forks_filtered_ = false;
}

Result<void> ProcessClassifier::apply(const Plan& plan, const std::vector<ProcessRule>& rules,
                                      NetlinkSocket& socket) {
  // No rules, no streams, no accounting: drop the path, which detaches every
  // program and filter. (Streams alone load it too: a reservation must hold
  // also in a config without `processes:`; so does accounting, on eBPF.)
  const bool counting_only = plan.classifier.empty() && plan.streams.empty() && plan.accounting;
  if (plan.classifier.empty() && plan.streams.empty() && !plan.accounting) {
    drop_path(plan, socket);
    counting_refused_ = false;
    return success();
  }
  // The port filters classify, they do not count: with nothing to classify
  // they have nothing to do on the link.
  const auto refuse_counting = [&] {
    if (!counting_refused_) {
      spdlog::warn("accounting: per-process figures need the eBPF path ({}); nothing is attached",
                   fallback_reason_);
    }
    drop_path(Plan{}, socket);
    counting_refused_ = true;
    return success();
  };
  if (counting_only && (counting_refused_ || (path_ && path_->name() != "bpf"))) return refuse_counting();
  if (!path_) {
    if (!plan.classifier.empty()) {
      if (auto possible = check_rescan_possible(); !possible) return possible;
    }
    if (auto chosen = choose_path(); !chosen) return chosen;
    if (counting_only && path_->name() != "bpf") return refuse_counting();
    counting_refused_ = false;
    forks_filtered_ = connector_ && path_->filter_process_events(connector_->fd());
  }
  if (auto attached = path_->attach(plan, socket); !attached) return attached;
  if (table_.size() == 0 && rules.empty()) {
    rules_.clear();  // counting or streams only: no process needs a rule
  } else if (table_.size() == 0) {
    rules_ = rules;
    announced_.clear();
    attributes_ = attributes_read(rules);
    table_ = ProcessTable(rules);
    rescan();
  } else if (!same_match_rules(rules, rules_)) {
    rules_ = rules;
    announced_.clear();
    (void)apply_rule_changes(table_.set_rules(rules));
    // Rules that look at attributes not read so far need /proc again, and
    // so do processes whose forks the kernel filtered out (a rule may now
    // pass itself on to their children).
    const std::set<std::string> needed = attributes_read(rules);
    const bool grew = !std::ranges::includes(attributes_, needed);
    attributes_ = needed;
    if (grew || forks_filtered_) rescan();
  }
  // The fallback's filters follow new or re-ruled processes now, not at the next poll.
  path_->refresh(socket);
  return success();
}

std::optional<std::chrono::milliseconds> ProcessClassifier::refresh_interval() const {
  if (!path_) return std::nullopt;
  const auto polled = path_->refresh_interval();
  if (connector_ || rules_.empty()) return polled;
  return polled ? std::min(*polled, kRescanInterval) : kRescanInterval;
}

void ProcessClassifier::refresh(NetlinkSocket& socket) {
  if (!path_) return;
  // A path polling faster than the rescan calls refresh() more often.
  if (!connector_ && !rules_.empty() && std::chrono::steady_clock::now() - last_rescan_ >= kRescanInterval) {
    rescan();
  }
  path_->refresh(socket);
}

nlohmann::json ProcessClassifier::matched_processes() const {
  nlohmann::json matched = nlohmann::json::object();
  for (const auto& [pid, rule] : table_.matched()) {
    if (rule >= 1 && rule <= rules_.size()) matched[std::to_string(pid)] = rules_[rule - 1].name;
  }
  return matched;
}

nlohmann::json ProcessClassifier::path_status() const {
  nlohmann::json status = {{"path", path_name()}};
  if ((path_ || counting_refused_) && !fallback_reason_.empty()) status["reason"] = fallback_reason_;
  status["container_links"] = path_ ? path_->container_links() : nlohmann::json::array();
  for (auto& link : status["container_links"]) {
    const std::string container = link.value("container", "");
    const auto name = container_namer_ && !container.empty() ? container_namer_(container) : std::nullopt;
    if (name) link["container_name"] = *name;
  }
  if (counting_refused_) status["accounting"] = "per-process figures need the eBPF path";
  if (connector_) {
    status["process_events"] = "proc connector";
  } else {
    status["process_events"] = "rescan";
    status["process_events_reason"] = fmt::format("{}; /proc is rescanned every {} ms while rules exist",
                                                  no_connector_reason_, kRescanInterval.count());
  }
  return status;
}

}  // namespace nettoll
