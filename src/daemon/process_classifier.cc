#include "daemon/process_classifier.h"

#include <fmt/format.h>
#include <spdlog/spdlog.h>

#include <fstream>
#include <sstream>

#include "daemon/logging.h"
#include "kernel/links.h"
#include "kernel/process_info.h"

namespace nettoll {
namespace {

std::vector<ScannedProcess> scan_processes() {
  std::vector<ScannedProcess> scanned;
  for (pid_t pid : list_processes()) {
    auto attributes = read_process(pid);
    if (!attributes) continue;  // exited meanwhile
    const auto ppid = attributes->values.find("ppid");
    scanned.push_back({pid, ppid == attributes->values.end() ? 0 : std::stoi(ppid->second), *attributes});
  }
  return scanned;
}

bool same_rules(const std::vector<ProcessRule>& a, const std::vector<ProcessRule>& b) {
  if (a.size() != b.size()) return false;
  for (size_t i = 0; i < a.size(); ++i) {
    if (a[i].name != b[i].name || a[i].recursive != b[i].recursive || a[i].match.size() != b[i].match.size()) {
      return false;
    }
    for (size_t j = 0; j < a[i].match.size(); ++j) {
      const auto& x = a[i].match[j].predicates;
      const auto& y = b[i].match[j].predicates;
      if (x.size() != y.size()) return false;
      for (size_t k = 0; k < x.size(); ++k) {
        if (x[k].attribute != y[k].attribute || x[k].pattern != y[k].pattern) return false;
      }
    }
  }
  return true;
}

}  // namespace

std::string cgroup_v2_root() {
  std::ifstream mounts("/proc/self/mounts");
  std::string line;
  while (std::getline(mounts, line)) {
    std::istringstream fields(line);
    std::string device, path, type;
    fields >> device >> path >> type;
    if (type == "cgroup2") return path;
  }
  return "";
}

Result<std::unique_ptr<ProcessClassifier>> ProcessClassifier::open(const std::string& cgroup_path) {
  auto connector = ProcConnector::open();
  if (!connector) return Error{connector.error()};
  return std::unique_ptr<ProcessClassifier>(new ProcessClassifier(std::move(*connector), cgroup_path));
}

Result<void> ProcessClassifier::load_bpf() {
  auto bpf = BpfClassifier::load();
  if (!bpf) return Error{bpf.error()};
  const std::string cgroup = cgroup_path_.empty() ? cgroup_v2_root() : cgroup_path_;
  if (cgroup.empty()) return Error{"no cgroup v2 hierarchy is mounted: per-process classification needs one"};
  if (auto attached = bpf->attach_cgroup(cgroup); !attached) return Error{attached.error()};
  bpf_.emplace(std::move(*bpf));
  spdlog::info("classifying sockets created in {} with eBPF", cgroup);
  return success();
}

void ProcessClassifier::apply_rule_changes(const std::vector<ProcessRuleChange>& changes) {
  if (!bpf_) return;
  for (const ProcessRuleChange& change : changes) {
    if (change.new_rule == 0) {
      bpf_->erase_pid(change.pid);
      continue;
    }
    if (change.new_rule <= rules_.size()) {
      log_for_rule(rules_[change.new_rule - 1].name,
                   fmt::format("process {} matches rule '{}'", change.pid, rules_[change.new_rule - 1].name));
    }
    if (auto set = bpf_->set_pid_rule(change.pid, change.new_rule); !set) {
      spdlog::warn("{}", set.error());
      continue;
    }
    // Sockets opened before this decision (before nettoll started, or between
    // exec and its event) follow the process's rule too.
    if (auto tagged = bpf_->tag_process_sockets(change.pid, change.new_rule); !tagged) {
      spdlog::debug("process {}: {}", change.pid, tagged.error());
    }
  }
}

void ProcessClassifier::rescan() { apply_rule_changes(table_.on_scan(scan_processes())); }

void ProcessClassifier::on_events() {
  auto batch = connector_.read_events();
  if (!batch) {
    spdlog::error("{}", batch.error());
    return;
  }
  if (!bpf_) return;  // no rules: nothing to keep track of
  if (batch->overflowed) {
    spdlog::warn("process events were lost: rescanning /proc");
    rescan();
    return;
  }
  for (const ProcEvent& event : batch->events) {
    switch (event.kind) {
      case ProcEvent::fork:
        apply_rule_changes(table_.on_fork(event.pid, event.parent_tgid));
        break;
      case ProcEvent::exit:
        apply_rule_changes(table_.on_exit(event.pid));
        break;
      case ProcEvent::exec:
      case ProcEvent::comm:
      case ProcEvent::uid:
        if (auto attributes = read_process(event.pid)) {
          const auto ppid = attributes->values.find("ppid");
          apply_rule_changes(table_.on_exec(
              event.pid, ppid == attributes->values.end() ? 0 : std::stoi(ppid->second), *attributes));
        }
        break;
    }
  }
}

Result<void> ProcessClassifier::attach_to(const Plan& plan, NetlinkSocket& socket) {
  const std::string wanted = plan.classifier.empty() ? "" : plan.interface;
  if (wanted == attached_interface_) return success();
  if (!attached_interface_.empty()) {
    // The interface may be gone; detaching what is not there is no error.
    (void)bpf_->detach_tc(attached_ifindex_, TcDirection::egress);
    (void)bpf_->detach_tc(attached_ifindex_, TcDirection::ingress);
    attached_interface_.clear();
  }
  if (wanted.empty()) return success();
  auto link = find_link(socket, wanted);
  if (!link) return Error{link.error()};
  auto ifb = find_link(socket, plan.ifb);
  if (!ifb) return Error{ifb.error()};
  if (auto set = bpf_->set_ifb(ifb->ifindex); !set) return set;
  for (TcDirection direction : {TcDirection::egress, TcDirection::ingress}) {
    if (auto attached = bpf_->attach_tc(link->ifindex, direction); !attached) return attached;
  }
  attached_interface_ = wanted;
  attached_ifindex_ = link->ifindex;
  return success();
}

Result<void> ProcessClassifier::apply(const Plan& plan, const std::vector<ProcessRule>& rules,
                                      NetlinkSocket& socket) {
  if (plan.classifier.empty()) {
    // No rules: unload, which detaches every program and drops the maps.
    bpf_.reset();
    attached_interface_.clear();
    rules_.clear();
    table_ = ProcessTable();
    return success();
  }
  if (!bpf_) {
    if (auto loaded = load_bpf(); !loaded) return loaded;
  }
  for (const ClassifierEntry& entry : plan.classifier) {
    if (auto set = bpf_->set_rule_classes(entry.rule_id, entry.egress_class.packed(), entry.ingress_class.packed());
        !set) {
      return set;
    }
  }
  if (table_.size() == 0) {
    rules_ = rules;
    table_ = ProcessTable(rules);
    rescan();
  } else if (!same_rules(rules, rules_)) {
    rules_ = rules;
    apply_rule_changes(table_.set_rules(rules));
  }
  return attach_to(plan, socket);
}

nlohmann::json ProcessClassifier::matched_processes() const {
  nlohmann::json matched = nlohmann::json::object();
  for (const auto& [pid, rule] : table_.matched()) {
    if (rule >= 1 && rule <= rules_.size()) matched[std::to_string(pid)] = rules_[rule - 1].name;
  }
  return matched;
}

}  // namespace nettoll
