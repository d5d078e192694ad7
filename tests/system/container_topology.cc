// SPDX-License-Identifier: Apache-2.0
#include "container_topology.h"

#include <signal.h>
#include <unistd.h>

#include <cerrno>
#include <chrono>
#include <filesystem>
#include <fstream>
#include <vector>

namespace nettoll::testing {

ContainerTopology::ContainerTopology(const Testbed& testbed, std::string cgroup)
    : testbed_(testbed), cgroup_(std::move(cgroup)) {
  for (const char* step :
       {"ip route add default via 10.77.0.2 dev vA", "ip -6 route add default via fd77::2 dev vA",
        "sysctl -qw net.ipv4.ip_forward=1", "sysctl -qw net.ipv6.conf.all.forwarding=1",
        "ip link add ntbr0 type bridge", "ip addr add 10.79.0.1/24 dev ntbr0",
        "ip addr add fd79::1/64 dev ntbr0 nodad", "ip link set ntbr0 up", "nft add table inet ntnat",
        "nft add chain inet ntnat post '{ type nat hook postrouting priority 100; }'",
        "nft add rule inet ntnat post oifname vA masquerade",
        "nft add chain inet ntnat pre '{ type nat hook prerouting priority -100; }'"}) {
    const CommandOutput done = testbed_.run_in_a(step);
    if (done.exit_status != 0) {
      setup_error_ = std::string(step) + ": " + done.output;
      return;
    }
  }
}

ContainerTopology::~ContainerTopology() {
  for (const TestContainer& container : containers_) remove_container(container);
}

const TestContainer& ContainerTopology::add_container(int n, std::string& error) {
  TestContainer container;
  const std::string number = std::to_string(n);
  container.netns = "ntc-" + std::to_string(getpid()) + "-" + number;
  container.host_link = "ntc" + number;
  container.ipv4 = "10.79.0.1" + number;
  container.ipv6 = "fd79::1" + number;
  container.id = std::string(63, char('a' + n)) + number;
  container.cgroup = cgroup_ + "/docker-" + container.id + ".scope";
  std::filesystem::create_directory(container.cgroup);
  const std::string a = testbed_.namespace_a();
  const std::string in = "ip -n " + container.netns + " ";
  const std::vector<std::string> steps{"ip netns add " + container.netns,
                                       "ip -n " + a + " link add " + container.host_link +
                                           " type veth peer name eth0 netns " + container.netns,
                                       "ip -n " + a + " link set " + container.host_link + " master ntbr0 up",
                                       in + "addr add " + container.ipv4 + "/24 dev eth0",
                                       in + "addr add " + container.ipv6 + "/64 dev eth0 nodad",
                                       in + "link set eth0 up",
                                       in + "link set lo up",
                                       in + "route add default via 10.79.0.1",
                                       in + "-6 route add default via fd79::1"};
  return create(container, steps, error);
}

const TestContainer& ContainerTopology::add_routed_container(int n, std::string& error) {
  TestContainer container;
  const std::string number = std::to_string(n);
  container.netns = "ntr-" + std::to_string(getpid()) + "-" + number;
  container.host_link = "ntr" + number;
  container.ipv4 = "10.79.1.1" + number;
  container.ipv6 = "fd79:1::1" + number;
  container.id = container.host_link;
  container.cgroup = cgroup_ + "/machine-" + container.id + ".scope";
  std::filesystem::create_directory(container.cgroup);
  const std::string host = "ip -n " + testbed_.namespace_a() + " ";
  const std::string in = "ip -n " + container.netns + " ";
  const std::string& link = container.host_link;
  const std::vector<std::string> steps{
      "ip netns add " + container.netns,
      host + "link add " + link + " type veth peer name eth0 netns " + container.netns,
      host + "addr add 10.79.1.1/32 dev " + link,
      host + "addr add fe80::1/64 dev " + link + " nodad",
      host + "link set " + link + " up",
      host + "route add " + container.ipv4 + "/32 dev " + link,
      host + "-6 route add " + container.ipv6 + "/128 dev " + link,
      in + "addr add " + container.ipv4 + "/32 dev eth0",
      in + "addr add " + container.ipv6 + "/128 dev eth0 nodad",
      in + "link set eth0 up",
      in + "link set lo up",
      in + "route add 10.79.1.1 dev eth0 scope link",
      in + "route add default via 10.79.1.1 dev eth0",
      in + "-6 route add default via fe80::1 dev eth0"};
  return create(container, steps, error);
}

const TestContainer& ContainerTopology::create(TestContainer container, const std::vector<std::string>& steps,
                                               std::string& error) {
  for (const std::string& step : steps) {
    const CommandOutput done = run_command(step + " 2>&1");
    if (done.exit_status != 0 && error.empty()) error = step + ": " + done.output;
  }
  containers_.push_back(container);
  const bool reachable =
      eventually([&] { return testbed_.run_in(container.netns, "ping -c1 -W1 10.77.0.2").exit_status == 0; },
                 std::chrono::seconds(10));
  if (!reachable && error.empty()) error = container.netns + " cannot reach the internet namespace";
  const bool reachable6 =
      eventually([&] { return testbed_.run_in(container.netns, "ping -c1 -W1 fd77::2").exit_status == 0; },
                 std::chrono::seconds(10));
  if (!reachable6 && error.empty())
    error = container.netns + " cannot reach the internet namespace over IPv6";
  return containers_.back();
}

void ContainerTopology::remove_container(const TestContainer& container) const {
  {
    std::ifstream procs(container.cgroup + "/cgroup.procs");
    for (pid_t pid; procs >> pid;) ::kill(pid, SIGKILL);
  }
  run_command("ip netns del " + container.netns + " 2>/dev/null");
  testbed_.run_in_a("ip link del " + container.host_link + " 2>/dev/null");
  eventually([&] { return ::rmdir(container.cgroup.c_str()) == 0 || errno == ENOENT; },
             std::chrono::seconds(5));
}

std::string ContainerTopology::publish(const TestContainer& container, int published, int port) const {
  const std::string match = "nft add rule inet ntnat pre iifname vA tcp dport " + std::to_string(published);
  for (const std::string& rule : {match + " dnat ip to " + container.ipv4 + ":" + std::to_string(port),
                                  match + " dnat ip6 to [" + container.ipv6 + "]:" + std::to_string(port)}) {
    const CommandOutput done = testbed_.run_in_a(rule);
    if (done.exit_status != 0) return rule + ": " + done.output;
  }
  return "";
}

std::vector<std::string> ContainerTopology::command_in(const std::string& netns, const std::string& cgroup,
                                                       const std::string& directory,
                                                       const std::string& command) {
  const std::string line = "echo $$ > " + cgroup + "/cgroup.procs && cd " + directory + " && exec " + command;
  return {"nsenter", "--net=/run/netns/" + netns, "sh", "-c", line};
}

}  // namespace nettoll::testing
