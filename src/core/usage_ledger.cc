// SPDX-License-Identifier: Apache-2.0
#include "core/usage_ledger.h"

#include <algorithm>

namespace nettoll {
namespace {

// A counter that went backwards belongs to a re-created entry: all of it is new.
uint64_t grown(uint64_t now, uint64_t before) { return now >= before ? now - before : now; }

TrafficCounters difference(const TrafficCounters& now, const TrafficCounters& before) {
  return TrafficCounters{
      grown(now.download_bytes, before.download_bytes), grown(now.download_packets, before.download_packets),
      grown(now.upload_bytes, before.upload_bytes), grown(now.upload_packets, before.upload_packets)};
}

void add_delta(UsageDeltas& deltas, const std::string& name, const std::string& rule,
               UsageDirection direction, uint64_t bytes, uint64_t packets) {
  if (bytes == 0 && packets == 0) return;
  for (UsageSample& sample : deltas) {
    if (sample.name == name && sample.rule == rule && sample.direction == direction) {
      sample.bytes += bytes;
      sample.packets += packets;
      return;
    }
  }
  deltas.push_back(UsageSample{name, rule, direction, bytes, packets});
}

void add_deltas(UsageDeltas& deltas, const std::string& name, const std::string& rule,
                const TrafficCounters& d) {
  add_delta(deltas, name, rule, UsageDirection::download, d.download_bytes, d.download_packets);
  add_delta(deltas, name, rule, UsageDirection::upload, d.upload_bytes, d.upload_packets);
}

}  // namespace

UsageLedger::Update UsageLedger::update(const std::vector<ProcessCounterReading>& readings,
                                        const std::function<bool(uint32_t)>& alive,
                                        const std::function<std::string(uint32_t)>& rule_name,
                                        double elapsed_seconds) {
  Update result;
  std::map<ProcessCounterKey, TrafficCounters> current;
  std::vector<ProcessUsage> processes;
  for (const ProcessCounterReading& reading : readings) {
    const ProcessCounterKey& key = reading.key;
    const std::string name = key.is_other() ? kOtherTrafficName : key.comm;
    const std::string rule = key.rule_id ? rule_name(key.rule_id) : "";
    auto before = previous_.find(key);
    const TrafficCounters delta =
        difference(reading.counters, before == previous_.end() ? TrafficCounters{} : before->second);
    add_deltas(result.deltas, name, rule, delta);
    if (!key.is_other() && !alive(key.tgid)) {
      folded_[{name, rule}] += reading.counters;
      result.exited.push_back(key);
      labels_.erase(key);
      continue;
    }
    current[key] = reading.counters;
    labels_[key] = {name, rule};
    const double seconds = elapsed_seconds > 0 ? elapsed_seconds : 1;
    processes.push_back(ProcessUsage{key, name, rule, reading.counters,
                                     double(delta.download_bytes) / seconds,
                                     double(delta.upload_bytes) / seconds});
  }
  // Evicted by the LRU (or erased by someone else): keep what was counted.
  for (const auto& [key, counters] : previous_) {
    if (current.count(key)) continue;
    if (auto label = labels_.find(key); label != labels_.end()) {
      folded_[label->second] += counters;
      labels_.erase(label);
    }
  }
  std::sort(processes.begin(), processes.end(), [](const ProcessUsage& a, const ProcessUsage& b) {
    return a.download_bytes_per_second + a.upload_bytes_per_second >
           b.download_bytes_per_second + b.upload_bytes_per_second;
  });
  previous_ = std::move(current);
  processes_ = std::move(processes);
  return result;
}

std::vector<NameUsage> UsageLedger::names() const {
  std::map<std::pair<std::string, std::string>, TrafficCounters> totals = folded_;
  for (const ProcessUsage& process : processes_) totals[{process.name, process.rule}] += process.total;
  std::vector<NameUsage> names;
  for (const auto& [label, total] : totals) names.push_back(NameUsage{label.first, label.second, total});
  std::stable_sort(names.begin(), names.end(),
                   [](const NameUsage& a, const NameUsage& b) { return a.total.bytes() > b.total.bytes(); });
  return names;
}

std::map<std::string, TrafficCounters> UsageLedger::rules() const {
  std::map<std::string, TrafficCounters> totals;
  for (const NameUsage& name : names()) totals[name.rule] += name.total;
  return totals;
}

}  // namespace nettoll
