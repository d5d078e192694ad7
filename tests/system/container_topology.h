// SPDX-License-Identifier: Apache-2.0
// ContainerTopology: a Docker-like host in a testbed. The testbed's A plays
// the host (vA its uplink, a default route to B, "the internet",
// nftables masquerade out of vA, forwarding on) with a bridge ntbr0
// (10.79.0.1/24, fd79::1/64); each "container" is a namespace of the test's
// own behind a veth on the bridge, with a cgroup named like Docker's
// (<cgroup>/docker-<64 hex>.scope) for its processes. Shared by
// tests/system/container_test.cc and bench/container_bench.cc.
#pragma once

#include <deque>
#include <string>
#include <vector>

#include "testbed.h"

namespace nettoll::testing {

struct TestContainer {
  std::string netns;      // ntc-<pid>-<n>
  std::string host_link;  // its veth on the host: ntc<n> (routed: ntr<n>)
  std::string ipv4;       // 10.79.0.1<n> (routed: 10.79.1.1<n>)
  std::string ipv6;       // fd79::1<n> (routed: fd79:1::1<n>)
  std::string cgroup;     // <cgroup>/docker-<id>.scope (routed: machine-<id>.scope)
  std::string id;         // 64 hex digits (routed: the machine's name, ntr<n>)
};

class ContainerTopology {
 public:
  // Sets up the host side in the testbed's A; `cgroup` is a cgroup v2
  // directory of the caller's own, where the containers' cgroups go.
  ContainerTopology(const Testbed& testbed, std::string cgroup);
  ~ContainerTopology();
  ContainerTopology(const ContainerTopology&) = delete;
  ContainerTopology& operator=(const ContainerTopology&) = delete;

  // Empty when the host side is ready, else the step that failed.
  const std::string& setup_error() const { return setup_error_; }

  // A new container n (1-5) on the bridge; its reference stays valid. Sets
  // `error` (else leaves it) when a step failed or it cannot reach B.
  const TestContainer& add_container(int n, std::string& error);

  // A new routed container n (1-5), as systemd-nspawn's `ve-*` links or a
  // CNI `ptp` network set it up: a veth ntr<n> on no bridge, the host's
  // 10.79.1.1/32 and fe80::1 on it, /32 and /128 routes to the container's
  // 10.79.1.1<n> and fd79:1::1<n>, which routes everything through the host
  // (forwarding and masquerade as for the bridge). Its cgroup is named like
  // an nspawn machine's (<cgroup>/machine-ntr<n>.scope). Sets `error` as
  // add_container does.
  const TestContainer& add_routed_container(int n, std::string& error);

  // Kills its processes, deletes its namespace and veth and its cgroup.
  void remove_container(const TestContainer& container) const;

  // TCP port `published` on the host's uplink addresses goes to `port` in
  // the container (Docker's -p), IPv4 and IPv6. Empty, or the failed rule.
  std::string publish(const TestContainer& container, int published, int port) const;

  // Runs `command` with sh in namespace `netns` inside cgroup `cgroup`
  // (nsenter, which leaves /sys as it is), as the argv for ChildProcess.
  static std::vector<std::string> command_in(const std::string& netns, const std::string& cgroup,
                                             const std::string& directory, const std::string& command);

 private:
  const Testbed& testbed_;
  std::string cgroup_;
  // Runs `steps` (ip commands) for `container`, keeps it, and waits until
  // it reaches B; sets `error` to the first failure.
  const TestContainer& create(TestContainer container, const std::vector<std::string>& steps,
                              std::string& error);

  std::string setup_error_;
  std::deque<TestContainer> containers_;
};

}  // namespace nettoll::testing
