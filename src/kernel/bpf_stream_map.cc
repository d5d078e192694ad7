// SPDX-License-Identifier: Apache-2.0
#include "kernel/bpf_stream_map.h"

#include <bpf/bpf.h>

#include <cerrno>
#include <cstring>

#include "bpf/classifier.h"

namespace nettoll {
namespace {

constexpr uint32_t kCountKey = 0;

struct StreamKey {
  int map_fd = -1;
  bool ipv6 = false;
  __be32 ipv4_key = 0;
  stream_key_ipv6 ipv6_key{};
  const void* data() const { return ipv6 ? static_cast<const void*>(&ipv6_key) : &ipv4_key; }
};

// The key of `remote` in its family's map; map_fd -1 when it is not one address.
StreamKey key_of(const StreamMapFds& maps, const Cidr& remote) {
  StreamKey key;
  if (remote.ipv6 && remote.prefix_length == 128) {
    key.map_fd = maps.ipv6;
    key.ipv6 = true;
    std::memcpy(key.ipv6_key.address, remote.address.data(), sizeof(key.ipv6_key.address));
  } else if (!remote.ipv6 && remote.prefix_length == 32) {
    key.map_fd = maps.ipv4;
    std::memcpy(&key.ipv4_key, remote.address.data(), sizeof(key.ipv4_key));
  }
  return key;
}

bool has_entry(const StreamKey& key) {
  stream_classes value{};
  return bpf_map_lookup_elem(key.map_fd, key.data(), &value) == 0;
}

void add_to_count(const StreamMapFds& maps, int delta) {
  const uint32_t count = read_stream_count(maps);
  const uint32_t updated = delta < 0 && count == 0 ? 0 : uint32_t(int64_t(count) + delta);
  bpf_map_update_elem(maps.count, &kCountKey, &updated, BPF_ANY);
}

}  // namespace

Result<void> write_stream_entry(const StreamMapFds& maps, const Cidr& remote, uint32_t egress_priority,
                                uint32_t ingress_priority) {
  const std::string what = "cannot set the classes of stream viewer " + format_cidr(remote);
  StreamKey key = key_of(maps, remote);
  if (key.map_fd < 0) return Error{what + ": not a single address"};
  const bool added = !has_entry(key);
  const stream_classes value{egress_priority, ingress_priority};
  if (bpf_map_update_elem(key.map_fd, key.data(), &value, BPF_ANY) != 0) {
    const int error = errno;
    return Error{what + ": " + std::strerror(error) + (error == E2BIG ? " (the map is full)" : "")};
  }
  if (added) add_to_count(maps, 1);
  return success();
}

void delete_stream_entry(const StreamMapFds& maps, const Cidr& remote) {
  StreamKey key = key_of(maps, remote);
  if (key.map_fd >= 0 && bpf_map_delete_elem(key.map_fd, key.data()) == 0) add_to_count(maps, -1);
}

uint32_t read_stream_count(const StreamMapFds& maps) {
  uint32_t count = 0;
  bpf_map_lookup_elem(maps.count, &kCountKey, &count);
  return count;
}

}  // namespace nettoll
