// SPDX-License-Identifier: Apache-2.0
#include "daemon/container_links.h"

#include <spdlog/spdlog.h>

#include <algorithm>
#include <set>

#include "kernel/namespace_processes.h"

namespace nettoll {

bool is_container_link(const LinkInfo& link, int uplink_ifindex, int ifb_ifindex, ContainerLinkScope scope) {
  // Routed veths (nspawn's ve-*, CNI ptp) count too: the program marks only
  // packets whose sending socket it finds in the peer namespace with a rule
  // or an owner nettoll gave it, and lets every packet pass, so on a veth
  // that leads to no container (a router namespace, the interface a reload
  // moved away from) it changes nothing but costs a socket lookup a packet.
  return link.kind == "veth" && link.peer_nsid && *link.peer_nsid >= 0 &&
         (scope == ContainerLinkScope::every_veth || link.master != 0) && link.ifindex != uplink_ifindex &&
         link.ifindex != ifb_ifindex;
}

Result<void> ContainerLinks::sync(BpfClassifier& bpf, NetlinkSocket& socket, uint32_t mark_mask,
                                  ContainerLinkScope scope, int uplink_ifindex, int ifb_ifindex) {
  if (mark_mask == 0) {
    clear(bpf);
    return success();
  }
  auto links = list_links(socket);
  if (!links) return Error{links.error()};
  std::set<int> present;
  for (const LinkInfo& link : *links) {
    if (!is_container_link(link, uplink_ifindex, ifb_ifindex, scope)) continue;
    present.insert(link.ifindex);
    auto known = links_.find(link.ifindex);
    if (known != links_.end() && known->second.name == link.name && known->second.nsid == *link.peer_nsid) {
      continue;
    }
    if (known != links_.end()) {  // the index went to another device meanwhile
      release(bpf, link.ifindex);
      known = links_.end();
    }
    if (auto written = write_container_link(bpf.container_maps(), link.ifindex, *link.peer_nsid); !written)
      return written;
    {
      if (auto attached = bpf.attach_container_link(link.ifindex); !attached) {
        (void)delete_container_link(bpf.container_maps(), link.ifindex);
        return attached;
      }
      spdlog::info("container link {} (peer namespace id {}): classifying its processes", link.name,
                   *link.peer_nsid);
    }
    links_[link.ifindex] = Attached{link.name, *link.peer_nsid};
  }
  for (auto it = links_.begin(); it != links_.end();) {
    const int ifindex = it->first;
    ++it;
    if (!present.contains(ifindex)) release(bpf, ifindex);
  }
  mark_mask_ = mark_mask;
  return write_container_settings(bpf.container_maps(), mark_mask, uint32_t(links_.size()));
}

void ContainerLinks::release(BpfClassifier& bpf, int ifindex) {
  const auto link = links_.find(ifindex);
  if (link == links_.end()) return;
  // A deleted veth took its filter with it; detaching is then a no-op.
  (void)bpf.detach_tc(ifindex, TcDirection::ingress);
  const size_t flows = delete_container_link(bpf.container_maps(), ifindex);
  spdlog::info("container link {} gone: {} flow(s) forgotten", link->second.name, flows);
  const int32_t nsid = link->second.nsid;
  links_.erase(link);
  // A namespace id is reused once its namespace is gone: forget its container.
  if (std::ranges::none_of(links_, [&](const auto& other) { return other.second.nsid == nsid; }))
    containers_.erase(nsid);
}

void ContainerLinks::find_containers() const {
  std::set<int32_t> unknown;
  for (const auto& [ifindex, link] : links_) {
    if (!containers_.contains(link.nsid)) unknown.insert(link.nsid);
  }
  const auto now = std::chrono::steady_clock::now();
  if (unknown.empty() || now - last_lookup_ < kContainerLookupInterval) return;
  last_lookup_ = now;
  auto socket = NetlinkSocket::open();  // in the daemon's namespace, like the links' ids
  if (!socket) {
    spdlog::warn("cannot name the containers of container links: {}", socket.error());
    return;
  }
  auto processes = processes_in_namespaces(*socket, unknown);
  if (!processes) {
    spdlog::warn("cannot name the containers of container links: {}", processes.error());
    return;
  }
  containers_.merge(containers_of_namespaces(std::move(*processes)));
}

void ContainerLinks::clear(BpfClassifier& bpf) {
  while (!links_.empty()) release(bpf, links_.begin()->first);
  if (mark_mask_ != 0) {
    if (auto off = write_container_settings(bpf.container_maps(), 0, 0); !off)
      spdlog::warn("{}", off.error());
  }
  mark_mask_ = 0;
}

void ContainerLinks::expire_flows(BpfClassifier& bpf) {
  const auto now = std::chrono::steady_clock::now();
  if (links_.empty() || now - last_expiry_ < kExpiryInterval) return;
  last_expiry_ = now;
  if (const size_t expired = expire_container_flows(bpf.container_maps(), monotonic_now_ns()); expired > 0)
    spdlog::debug("{} idle container flow(s) expired", expired);
}

nlohmann::json ContainerLinks::status(const BpfClassifier& bpf) const {
  nlohmann::json links = nlohmann::json::array();
  // Counting walks the whole flow map (two calls an entry) and /v1/status,
  // which the dashboard asks for every second, shows it: only with a link.
  if (links_.empty()) return links;
  const std::map<int, size_t> flows = count_container_flows(bpf.container_maps());
  find_containers();
  for (const auto& [ifindex, link] : links_) {
    const auto counted = flows.find(ifindex);
    const auto container = containers_.find(link.nsid);
    links.push_back({{"name", link.name},
                     {"ifindex", ifindex},
                     {"nsid", link.nsid},
                     {"flows", counted == flows.end() ? 0 : counted->second},
                     {"container", container == containers_.end() ? "" : container->second}});
  }
  return links;
}

}  // namespace nettoll
