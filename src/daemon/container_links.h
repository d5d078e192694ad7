// SPDX-License-Identifier: Apache-2.0
// ContainerLinks: the host-side links whose peer lives in another network
// namespace (a container's veth), kept current from the daemon's link
// events: each gets the container upload program on its ingress and an
// entry ifindex → nsid in the classifier's map; links that go take their
// recorded flows with them, and idle flows expire. Status names the
// container behind each link, found from the processes in its namespace.
#pragma once

#include <chrono>
#include <cstdint>
#include <map>
#include <nlohmann/json.hpp>
#include <string>

#include "core/container_link_scope.h"
#include "core/result.h"
#include "kernel/bpf_classifier.h"
#include "kernel/links.h"
#include "kernel/netlink_socket.h"

namespace nettoll {

// Whether `link` is a host-side container link: a veth whose peer is in
// another namespace (for `bridged`, one on a bridge), and not one of the
// devices nettoll shapes (`uplink`, `ifb`: in a namespace that reaches the
// internet through a veth, the uplink has a foreign peer too).
bool is_container_link(const LinkInfo& link, int uplink_ifindex, int ifb_ifindex, ContainerLinkScope scope);

class ContainerLinks {
 public:
  // Makes the programs and maps match the namespace's links in `scope` now,
  // with the mark bits `mark_mask` (0: containers are not classified; every
  // link is let go). Fails when a program cannot be attached or a map written.
  Result<void> sync(BpfClassifier& bpf, NetlinkSocket& socket, uint32_t mark_mask, ContainerLinkScope scope,
                    int uplink_ifindex, int ifb_ifindex);

  // Detaches from every link and empties the maps.
  void clear(BpfClassifier& bpf);

  // Removes idle flows, at most once every kExpiryInterval.
  void expire_flows(BpfClassifier& bpf);

  bool empty() const { return links_.empty(); }

  // [{"name", "ifindex", "nsid", "flows", "container"}], for `nettoll
  // status` ("container": the id or machine name, "" while no process of
  // the namespace is in a container's cgroup).
  nlohmann::json status(const BpfClassifier& bpf) const;

  static constexpr std::chrono::seconds kExpiryInterval{30};
  // How often, at most, status looks in /proc for containers still unknown.
  static constexpr std::chrono::seconds kContainerLookupInterval{1};

 private:
  struct Attached {
    std::string name;
    int32_t nsid = -1;
  };
  void release(BpfClassifier& bpf, int ifindex);
  // Finds the containers of the namespaces not named yet (a container's
  // first process may start after its veth appeared).
  void find_containers() const;

  std::map<int, Attached> links_;  // by ifindex
  // nsid → container, for the links' namespaces; a cache: the namespace of
  // an nsid cannot change while a link into it exists.
  mutable std::map<int32_t, std::string> containers_;
  mutable std::chrono::steady_clock::time_point last_lookup_;
  uint32_t mark_mask_ = 0;
  std::chrono::steady_clock::time_point last_expiry_;
};

}  // namespace nettoll
