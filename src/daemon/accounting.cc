// SPDX-License-Identifier: Apache-2.0
#include "daemon/accounting.h"

#include <signal.h>
#include <spdlog/spdlog.h>

#include "daemon/status_report.h"
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

std::map<std::string, uint64_t> class_bytes_of(NetlinkSocket& socket, const Plan& plan) {
  std::map<std::string, uint64_t> bytes;
  for (const auto* tree : {&plan.egress, &plan.ingress}) {
    if (!*tree) continue;
    for (const auto& [id, info] : live_classes(socket, (*tree)->device))
      bytes[(*tree)->device + " " + format_handle(id)] = info.stats.bytes;
  }
  return bytes;
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

void Accounting::sample() {
  const auto now = std::chrono::steady_clock::now();
  const double elapsed = std::chrono::duration<double>(now - last_sample_).count();
  last_sample_ = now;

  std::map<std::string, uint64_t> classes = sources_.class_bytes();
  class_rates_.clear();
  for (const auto& [key, bytes] : classes) {
    auto before = class_bytes_.find(key);
    if (before != class_bytes_.end() && bytes >= before->second && elapsed > 0)
      class_rates_[key] = double(bytes - before->second) / elapsed;
  }
  class_bytes_ = std::move(classes);

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
