// SPDX-License-Identifier: Apache-2.0
#include "daemon/accounting.h"

#include <signal.h>
#include <spdlog/spdlog.h>

#include "kernel/htb_classes.h"
#include "kernel/links.h"
#include "kernel/process_traffic_map.h"

namespace nettoll {
namespace {

constexpr std::chrono::milliseconds kSampleInterval{1000};

// kill(pid, 0) fails with ESRCH only for a process that is gone (EPERM:
// alive, someone else's). The daemon runs in the initial pid namespace.
bool process_alive(uint32_t tgid) { return ::kill(pid_t(tgid), 0) == 0 || errno != ESRCH; }

}  // namespace

std::map<uint32_t, std::string> rule_names_of(const Plan& plan) {
  std::map<uint32_t, std::string> names;
  for (const ClassifierEntry& entry : plan.classifier) names[entry.rule_id] = entry.rule;
  return names;
}

std::string class_key(const std::string& device, Handle id) { return device + " " + format_handle(id); }

std::map<std::string, TcStats> class_counters_of(NetlinkSocket& socket, const Plan& plan) {
  std::map<std::string, TcStats> counters;
  for (const auto* tree : {&plan.egress, &plan.ingress}) {
    if (!*tree) continue;
    auto link = find_link(socket, (*tree)->device);
    if (!link) continue;
    auto classes = list_classes(socket, link->ifindex);
    if (!classes) continue;
    for (const ClassInfo& info : *classes) counters[class_key((*tree)->device, info.id)] = info.stats;
  }
  return counters;
}

Accounting::Accounting(EventLoop& loop, Sources sources)
    : loop_(loop), sources_(std::move(sources)), last_sample_(std::chrono::steady_clock::now()) {}

Result<void> Accounting::start() { return schedule(); }

Result<void> Accounting::schedule() {
  return loop_.after("accounting", kSampleInterval, [this] {
    sample();
    if (auto scheduled = schedule(); !scheduled) spdlog::error("accounting stopped: {}", scheduled.error());
  });
}

double Accounting::class_rate(const std::string& key) const {
  auto it = class_rates_.find(key);
  return it == class_rates_.end() ? 0.0 : it->second;
}

const TcStats* Accounting::class_counters(const std::string& key) const {
  auto it = class_counters_.find(key);
  return it == class_counters_.end() ? nullptr : &it->second;
}

void Accounting::sample() {
  const auto now = std::chrono::steady_clock::now();
  const double elapsed = std::chrono::duration<double>(now - last_sample_).count();
  last_sample_ = now;
  ++samples_;

  std::map<std::string, TcStats> classes = sources_.class_counters();
  class_rates_.clear();
  for (const auto& [key, counters] : classes) {
    auto before = class_counters_.find(key);
    if (before != class_counters_.end() && counters.bytes >= before->second.bytes && elapsed > 0)
      class_rates_[key] = double(counters.bytes - before->second.bytes) / elapsed;
  }
  class_counters_ = std::move(classes);

  const int fd = sources_.process_traffic_fd();
  per_process_ = fd >= 0;
  if (!per_process_) return;
  const ProcessTrafficMap map(fd);
  const std::map<uint32_t, std::string> names = sources_.rule_names();
  const auto rule_name = [&](uint32_t id) {
    auto it = names.find(id);
    return it == names.end() ? "rule " + std::to_string(id) : it->second;
  };
  UsageLedger::Update update = ledger_.update(map.read(), process_alive, rule_name, elapsed);
  for (const ProcessCounterKey& key : update.exited) map.erase(key);
  if (update.deltas.empty()) return;
  for (UsageSink* sink : sinks_) sink->on_usage(update.deltas);
}

}  // namespace nettoll
