// SPDX-License-Identifier: Apache-2.0
#include "core/port_filters.h"

#include <algorithm>
#include <set>

namespace nettoll {
namespace {

// The families whose packets reach `socket`: an IPv6 socket without
// IPV6_V6ONLY also receives IPv4 (as mapped addresses).
std::vector<IpFamily> families_of(const LocalSocket& socket) {
  if (socket.family == IpFamily::ipv4) return {IpFamily::ipv4};
  if (socket.v6_only) return {IpFamily::ipv6};
  return {IpFamily::ipv4, IpFamily::ipv6};
}

// Where a filter's node lives apart from its id: same family and direction
// (one table per device and family), same bucket.
struct BucketKey {
  FilterDirection direction;
  IpFamily family;
  uint32_t bucket;
  auto operator<=>(const BucketKey&) const = default;
};

BucketKey bucket_of(const PortFilterKey& key) { return {key.direction, key.family, port_bucket(key.port)}; }

uint32_t node_of(uint32_t handle) { return handle & 0xfff; }

}  // namespace

std::vector<StreamFilter> plan_stream_filters(const std::vector<StreamClassifierEntry>& streams) {
  std::vector<StreamFilter> filters;
  for (const StreamClassifierEntry& entry : streams) {
    if (entry.egress_class.packed())
      filters.push_back({FilterDirection::egress, entry.remote, entry.egress_class});
    if (entry.ingress_class.packed()) {
      filters.push_back({FilterDirection::ingress, entry.remote, entry.ingress_class});
    }
  }
  return filters;
}

uint32_t port_hash_table(IpFamily family) { return family == IpFamily::ipv4 ? 0x7a1 : 0x7a2; }

uint32_t port_bucket(uint16_t port) { return port & (kPortHashBuckets - 1); }

uint32_t port_node_handle(IpFamily family, uint32_t bucket, uint32_t node) {
  return port_hash_table(family) << 20 | bucket << 12 | node;
}

std::vector<PortFilter> plan_port_filters(const std::vector<LocalSocket>& sockets,
                                          const std::map<uint64_t, uint32_t>& socket_rules,
                                          const std::vector<ClassifierEntry>& classifier) {
  std::map<uint32_t, const ClassifierEntry*> entries;
  for (const ClassifierEntry& entry : classifier) entries[entry.rule_id] = &entry;
  std::map<PortFilterKey, uint32_t> rule_of_key;  // lowest rule per key
  for (const LocalSocket& socket : sockets) {
    const auto rule = socket_rules.find(socket.inode);
    if (rule == socket_rules.end() || !entries.contains(rule->second)) continue;
    for (IpFamily family : families_of(socket)) {
      for (FilterDirection direction : {FilterDirection::egress, FilterDirection::ingress}) {
        const PortFilterKey key{direction, family, socket.protocol, socket.local_port};
        auto [slot, inserted] = rule_of_key.emplace(key, rule->second);
        if (!inserted) slot->second = std::min(slot->second, rule->second);
      }
    }
  }
  std::vector<PortFilter> filters;
  for (const auto& [key, rule] : rule_of_key) {
    const ClassifierEntry& entry = *entries.at(rule);
    const Handle class_id =
        key.direction == FilterDirection::egress ? entry.egress_class : entry.ingress_class;
    filters.push_back({key, class_id});
  }
  return filters;
}

PortFilterChanges diff_port_filters(const std::vector<InstalledPortFilter>& installed,
                                    const std::vector<PortFilter>& wanted) {
  PortFilterChanges changes;
  std::map<PortFilterKey, Handle> wanted_class;
  for (const PortFilter& filter : wanted) wanted_class[filter.key] = filter.class_id;

  std::set<PortFilterKey> kept;
  std::map<BucketKey, std::set<uint32_t>> used_nodes;
  for (const InstalledPortFilter& existing : installed) {
    const auto want = wanted_class.find(existing.filter.key);
    if (want != wanted_class.end() && want->second == existing.filter.class_id) {
      kept.insert(existing.filter.key);
      used_nodes[bucket_of(existing.filter.key)].insert(node_of(existing.handle));
    } else {
      changes.remove.push_back(existing);
    }
  }
  for (const PortFilter& filter : wanted) {
    if (kept.contains(filter.key)) continue;
    const BucketKey bucket = bucket_of(filter.key);
    std::set<uint32_t>& used = used_nodes[bucket];
    uint32_t node = 1;
    for (uint32_t taken : used) {  // ascending: the first gap
      if (taken != node) break;
      ++node;
    }
    used.insert(node);
    changes.add.push_back({filter, port_node_handle(filter.key.family, bucket.bucket, node)});
  }
  return changes;
}

}  // namespace nettoll
