#include "daemon/process_classifier.h"

#include <fmt/format.h>
#include <spdlog/spdlog.h>

#include <algorithm>

#include "daemon/bpf_path.h"
#include "daemon/logging.h"
#include "daemon/port_filter_path.h"
#include "kernel/process_info.h"

namespace nettoll {
namespace {

std::vector<ScannedProcess> scan_processes(const std::set<std::string>& wanted) {
  std::vector<ScannedProcess> scanned;
  for (pid_t pid : list_processes()) {
    auto attributes = read_process(pid, wanted);
    if (!attributes) continue;  // exited meanwhile
    const auto ppid = attributes->values.find("ppid");
    scanned.push_back({pid, ppid == attributes->values.end() ? 0 : std::stoi(ppid->second), *attributes});
  }
  return scanned;
}

}  // namespace

std::optional<ClassifierMode> parse_classifier_mode(const std::string& text) {
  if (text == "auto") return ClassifierMode::automatic;
  if (text == "bpf") return ClassifierMode::bpf;
  if (text == "u32") return ClassifierMode::u32;
  return std::nullopt;
}

Result<std::unique_ptr<ProcessClassifier>> ProcessClassifier::open(const std::string& cgroup_path,
                                                                   ClassifierMode mode) {
  auto connector = ProcConnector::open();
  if (!connector) return Error{connector.error()};
  return std::unique_ptr<ProcessClassifier>(new ProcessClassifier(std::move(*connector), cgroup_path, mode));
}

Result<void> ProcessClassifier::choose_path() {
  fallback_reason_.clear();
  if (mode_ != ClassifierMode::u32) {
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
  for (const ProcessRuleChange& change : changes) {
    if (change.new_rule != 0 && change.new_rule <= rules_.size()) {
      const std::string& rule = rules_[change.new_rule - 1].name;
      log_for_rule(rule, fmt::format("process {} matches rule '{}'", change.pid, rule));
      matched = true;
    }
    path_->set_process_rule(change.pid, change.new_rule);
  }
  return matched;
}

void ProcessClassifier::rescan() { (void)apply_rule_changes(table_.on_scan(scan_processes(attributes_))); }

bool ProcessClassifier::on_events() {
  auto batch = connector_.read_events();
  if (!batch) {
    spdlog::error("{}", batch.error());
    return false;
  }
  if (!path_) return false;  // no rules: nothing to keep track of
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
      case ProcEvent::exit:
        matched |= apply_rule_changes(table_.on_exit(event.pid));
        break;
      case ProcEvent::exec:
      case ProcEvent::comm:
      case ProcEvent::uid:
        if (auto attributes = read_process(event.pid, attributes_)) {
          const auto ppid = attributes->values.find("ppid");
          matched |= apply_rule_changes(table_.on_exec(
              event.pid, ppid == attributes->values.end() ? 0 : std::stoi(ppid->second), *attributes));
        }
        break;
    }
  }
  return matched;
}

Result<void> ProcessClassifier::apply(const Plan& plan, const std::vector<ProcessRule>& rules,
                                      NetlinkSocket& socket) {
  if (plan.classifier.empty()) {
    // No rules: drop the path, which detaches every program and filter.
    if (path_) (void)path_->attach(plan, socket);
    path_.reset();
    rules_.clear();
    attributes_.clear();
    table_ = ProcessTable();
    return success();
  }
  if (!path_) {
    if (auto chosen = choose_path(); !chosen) return chosen;
  }
  if (auto attached = path_->attach(plan, socket); !attached) return attached;
  if (table_.size() == 0) {
    rules_ = rules;
    attributes_ = attributes_used(rules);
    table_ = ProcessTable(rules);
    rescan();
  } else if (!same_match_rules(rules, rules_)) {
    rules_ = rules;
    (void)apply_rule_changes(table_.set_rules(rules));
    // Rules that look at attributes not read so far need /proc again.
    const std::set<std::string> needed = attributes_used(rules);
    const bool grew = !std::ranges::includes(attributes_, needed);
    attributes_ = needed;
    if (grew) rescan();
  }
  // The fallback's filters follow new or re-ruled processes now, not at the next poll.
  path_->refresh(socket);
  return success();
}

std::optional<std::chrono::milliseconds> ProcessClassifier::refresh_interval() const {
  return path_ ? path_->refresh_interval() : std::nullopt;
}

void ProcessClassifier::refresh(NetlinkSocket& socket) {
  if (path_) path_->refresh(socket);
}

nlohmann::json ProcessClassifier::matched_processes() const {
  nlohmann::json matched = nlohmann::json::object();
  for (const auto& [pid, rule] : table_.matched()) {
    if (rule >= 1 && rule <= rules_.size()) matched[std::to_string(pid)] = rules_[rule - 1].name;
  }
  return matched;
}

nlohmann::json ProcessClassifier::path_status() const {
  nlohmann::json status = {{"path", path_ ? path_->name() : "none"}};
  if (path_ && !fallback_reason_.empty()) status["reason"] = fallback_reason_;
  return status;
}

}  // namespace nettoll
