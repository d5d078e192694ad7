// SPDX-License-Identifier: Apache-2.0
#include "kernel/bpf_container_maps.h"

#include <bpf/bpf.h>
#include <time.h>

#include <cerrno>
#include <cstring>
#include <functional>
#include <string>
#include <vector>

#include "bpf/container.h"

namespace nettoll {
namespace {

Result<void> update(int fd, const void* key, const void* value, const std::string& what) {
  if (bpf_map_update_elem(fd, key, value, BPF_ANY) == 0) return success();
  const int error = errno;
  return Error{"cannot set " + what + ": " + std::strerror(error) +
               (error == E2BIG ? " (the map is full)" : "")};
}

// Deletes the flows `doomed` selects; keys are collected first, since
// deleting while iterating would restart the walk.
size_t delete_flows_if(const ContainerMapFds& maps,
                       const std::function<bool(const container_flow&)>& doomed) {
  std::vector<container_flow_key> keys;
  container_flow_key key{};
  container_flow_key next{};
  const void* previous = nullptr;
  while (bpf_map_get_next_key(maps.flows, previous, &next) == 0) {
    container_flow value{};
    if (bpf_map_lookup_elem(maps.flows, &next, &value) == 0 && doomed(value)) keys.push_back(next);
    key = next;
    previous = &key;
  }
  size_t deleted = 0;
  for (const container_flow_key& doomed_key : keys) {
    if (bpf_map_delete_elem(maps.flows, &doomed_key) == 0) ++deleted;
  }
  return deleted;
}

}  // namespace

Result<void> write_container_settings(const ContainerMapFds& maps, uint32_t mark_mask, uint32_t link_count) {
  const uint32_t zero = 0;
  container_settings settings{};
  settings.mark_mask = mark_mask;
  settings.mark_shift = mark_mask ? uint32_t(__builtin_ctz(mark_mask)) : 0;
  settings.link_count = link_count;
  settings.flow_timeout_ns = NETTOLL_CONTAINER_FLOW_TIMEOUT_NS;
  return update(maps.settings, &zero, &settings, "the container classification settings");
}

Result<void> write_container_link(const ContainerMapFds& maps, int ifindex, int32_t nsid) {
  const uint32_t key = uint32_t(ifindex);
  container_link link{};
  link.nsid = nsid;
  return update(maps.links, &key, &link, "the container link with ifindex " + std::to_string(ifindex));
}

size_t delete_container_link(const ContainerMapFds& maps, int ifindex) {
  const uint32_t key = uint32_t(ifindex);
  bpf_map_delete_elem(maps.links, &key);
  return delete_flows_if(maps, [&](const container_flow& flow) { return flow.link_ifindex == key; });
}

size_t expire_container_flows(const ContainerMapFds& maps, uint64_t now_ns) {
  return delete_flows_if(maps, [&](const container_flow& flow) {
    return now_ns > flow.last_seen_ns && now_ns - flow.last_seen_ns > NETTOLL_CONTAINER_FLOW_TIMEOUT_NS;
  });
}

std::map<int, size_t> count_container_flows(const ContainerMapFds& maps) {
  std::map<int, size_t> counts;
  container_flow_key key{};
  container_flow_key next{};
  const void* previous = nullptr;
  while (bpf_map_get_next_key(maps.flows, previous, &next) == 0) {
    container_flow value{};
    if (bpf_map_lookup_elem(maps.flows, &next, &value) == 0) ++counts[int(value.link_ifindex)];
    key = next;
    previous = &key;
  }
  return counts;
}

uint64_t monotonic_now_ns() {
  timespec now{};
  clock_gettime(CLOCK_MONOTONIC, &now);
  return uint64_t(now.tv_sec) * 1000000000ull + uint64_t(now.tv_nsec);
}

}  // namespace nettoll
