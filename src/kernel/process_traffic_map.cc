// SPDX-License-Identifier: Apache-2.0
#include "kernel/process_traffic_map.h"

#include <bpf/bpf.h>
#include <bpf/libbpf.h>

#include <algorithm>
#include <cstring>

#include "bpf/classifier.h"

namespace nettoll {
namespace {

process_key to_bpf_key(const ProcessCounterKey& key) {
  process_key raw{};
  raw.tgid = key.tgid;
  raw.rule_id = key.rule_id;
  std::memcpy(raw.comm, key.comm.data(), std::min(key.comm.size(), sizeof(raw.comm) - 1));
  return raw;
}

ProcessCounterKey from_bpf_key(const process_key& raw) {
  return ProcessCounterKey{raw.tgid, raw.rule_id, std::string(raw.comm, strnlen(raw.comm, sizeof(raw.comm)))};
}

}  // namespace

ProcessTrafficMap::ProcessTrafficMap(int map_fd)
    : map_fd_(map_fd), cpus_(std::max(1, libbpf_num_possible_cpus())) {}

std::vector<ProcessCounterReading> ProcessTrafficMap::read() const {
  std::vector<ProcessCounterReading> readings;
  std::vector<process_traffic> per_cpu(static_cast<size_t>(cpus_));
  process_key key{};
  process_key next{};
  const void* previous = nullptr;  // nullptr: the first key
  while (bpf_map_get_next_key(map_fd_, previous, &next) == 0) {
    key = next;
    previous = &key;
    if (bpf_map_lookup_elem(map_fd_, &key, per_cpu.data()) != 0) continue;
    TrafficCounters sum;
    for (const process_traffic& cpu : per_cpu) {
      sum.upload_packets += cpu.egress_packets;
      sum.upload_bytes += cpu.egress_bytes;
      sum.download_packets += cpu.ingress_packets;
      sum.download_bytes += cpu.ingress_bytes;
    }
    readings.push_back({from_bpf_key(key), sum});
  }
  return readings;
}

void ProcessTrafficMap::erase(const ProcessCounterKey& key) const {
  const process_key raw = to_bpf_key(key);
  bpf_map_delete_elem(map_fd_, &raw);
}

}  // namespace nettoll
