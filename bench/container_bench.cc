// SPDX-License-Identifier: Apache-2.0
// container_bench: what classifying container processes costs.
// - the veth program's per-packet cost, from the kernel's BPF statistics,
//   while one TCP stream runs from a container through the host's NAT;
// - that stream's throughput with the daemon (and the program) and without;
// - the flow map at 10,000 flows: its kernel memory, and how long the
//   daemon's walk over it (status, expiry) takes.
// Runs in namespaces of its own (tests/system/container_topology.h): never
// on the machine's interfaces or cgroups.
#include <bpf/bpf.h>
#include <signal.h>
#include <unistd.h>

#include <chrono>
#include <cstdio>
#include <exception>
#include <filesystem>
#include <fstream>
#include <string>
#include <thread>

#include "bench_output.h"
#include "bpf/container.h"
#include "child_process.h"
#include "container_topology.h"
#include "daemon/bpf_path.h"
#include "kernel/bpf_classifier.h"
#include "process_bpf_cost.h"

namespace nettoll::bench {
namespace {

using namespace std::chrono_literals;
using testing::ChildProcess;

constexpr int kSeconds = 6;
constexpr int kFlows = 10000;

// One iperf3 TCP upload from the container to B; Mbit/s received (0: failed).
double container_upload_mbit(const testing::TestContainer& container, const std::string& directory) {
  const std::string report = directory + "/iperf.json";
  ChildProcess client(testing::ContainerTopology::command_in(
      container.netns, container.cgroup, directory,
      "./ntbulk -J -c 10.77.0.2 -p 5201 -t " + std::to_string(kSeconds) + " > " + report));
  client.wait_for_exit(std::chrono::seconds(kSeconds + 15));
  const auto parsed = nlohmann::json::parse(std::ifstream(report), nullptr, false);
  if (parsed.is_discarded() || !parsed.contains("end")) return 0;
  return parsed["end"]["sum_received"].value("bits_per_second", 0.0) / 1e6;
}

// The kernel memory of map `fd` (fdinfo's memlock), in bytes.
uint64_t map_memlock(int fd) {
  std::ifstream info("/proc/self/fdinfo/" + std::to_string(fd));
  for (std::string line; std::getline(info, line);) {
    if (line.starts_with("memlock:")) return std::stoull(line.substr(8));
  }
  return 0;
}

void measure_flow_map() {
  auto bpf = BpfClassifier::load();
  if (!bpf) {
    std::printf("flow map: %s\n", bpf.error().c_str());
    return;
  }
  const ContainerMapFds maps = bpf->container_maps();
  const uint64_t now = monotonic_now_ns();
  for (int i = 0; i < kFlows; ++i) {
    container_flow_key key{};
    key.family = 4;
    key.protocol = 6;
    key.local_port = uint16_t(1024 + i % 60000);
    key.remote_port = 443;
    key.local[0] = 10;
    key.local[3] = uint8_t(i / 60000 + 1);
    key.remote[0] = 192;
    key.remote[3] = uint8_t(i % 251);
    container_flow value{};
    value.owner.rule_id = 1;
    value.owner.tgid = uint32_t(1000 + i);
    value.link_ifindex = uint32_t(5 + i % 8);
    value.last_seen_ns = now;
    bpf_map_update_elem(maps.flows, &key, &value, BPF_ANY);
  }
  const auto walk_start = std::chrono::steady_clock::now();
  const auto counts = count_container_flows(maps);
  const double walk_ms =
      std::chrono::duration<double, std::milli>(std::chrono::steady_clock::now() - walk_start).count();
  size_t counted = 0;
  for (const auto& [ifindex, flows] : counts) counted += flows;
  const uint64_t memlock = map_memlock(maps.flows);
  report("flow map: " + std::to_string(counted) + " flows recorded; the map (" +
             std::to_string(NETTOLL_MAX_CONTAINER_FLOWS) + " entries, preallocated LRU) holds " +
             std::to_string(memlock / 1024) + " KiB of kernel memory, " +
             std::to_string(memlock / NETTOLL_MAX_CONTAINER_FLOWS) +
             " bytes per entry; the daemon's walk over " + std::to_string(counted) + " flows takes " +
             std::to_string(walk_ms) + " ms",
         {{"figure", "container_flow_map"},
          {"flows", counted},
          {"max_entries", NETTOLL_MAX_CONTAINER_FLOWS},
          {"memlock_bytes", memlock},
          {"walk_ms", walk_ms}});
}

int run() {
  if (::geteuid() != 0) {
    std::fprintf(stderr, "container_bench needs root (namespaces, tc, BPF)\n");
    return 1;
  }
  const std::string root = cgroup_v2_root();
  const std::string directory = "/tmp/nettoll-container-bench-" + std::to_string(getpid());
  const std::string cgroup = root + "/nettoll-container-bench-" + std::to_string(getpid());
  std::filesystem::create_directories(directory);
  std::filesystem::create_directory(cgroup);
  std::filesystem::copy_file("/usr/bin/iperf3", directory + "/ntbulk",
                             std::filesystem::copy_options::overwrite_existing);
  int code = 0;
  {
    testing::Testbed testbed;
    testing::ContainerTopology topology(testbed, cgroup);
    std::string error = testbed.setup_error() + topology.setup_error();
    const testing::TestContainer& container = topology.add_container(1, error);
    if (!error.empty()) {
      std::fprintf(stderr, "container_bench: %s\n", error.c_str());
      code = 1;
    } else {
      ChildProcess server({"ip", "netns", "exec", testbed.namespace_b(), "iperf3", "-s", "-p", "5201"});
      testbed.wait_for_listener(testbed.namespace_b(), 5201, 5s);
      const double without = container_upload_mbit(container, directory);
      // A rule without limits: the programs classify, HTB never holds back.
      std::ofstream(directory + "/nettoll.yaml")
          << "interface: vA\nprocesses:\n  bulk:\n    match: [{name: ntbulk}]\n    upload-priority: 1\n";
      ChildProcess daemon({testing::nettoll_binary(), "daemon", "-c", directory + "/nettoll.yaml", "--netns",
                           testbed.namespace_a(), "--socket", directory + "/api.sock", "--cgroup", cgroup,
                           "--classifier", "bpf", "--runtime-dir", directory + "/run", "--usage-db",
                           directory + "/run/usage.db", "--state-file", directory + "/run/state.json"});
      daemon.wait_for_output("container link ntc1", 15s);
      double with = 0;
      ProgramRuns runs;
      {
        BpfRunTimeStats stats;
        with = container_upload_mbit(container, directory);
        runs = classifier_program_runs("classify_conta");
      }
      daemon.signal(SIGTERM);
      daemon.wait_for_exit(10s);
      report("veth program: " + std::to_string(runs.ns_per_run()) + " ns per packet over " +
                 std::to_string(runs.run_count) + " packets (kernel BPF statistics)",
             {{"figure", "container_veth_program_ns_per_packet"},
              {"ns_per_packet", runs.ns_per_run()},
              {"packets", runs.run_count}});
      report("single TCP stream container -> internet through NAT: " + std::to_string(without) +
                 " Mbit/s without nettoll, " + std::to_string(with) + " Mbit/s with the container path",
             {{"figure", "container_single_stream_mbit"}, {"without", without}, {"with", with}});
    }
  }
  measure_flow_map();
  ::rmdir(cgroup.c_str());
  std::filesystem::remove_all(directory);
  return code;
}

}  // namespace
}  // namespace nettoll::bench

int main() {
  try {
    return nettoll::bench::run();
  } catch (const std::exception& error) {
    std::fprintf(stderr, "container_bench: %s\n", error.what());
    return 1;
  }
}
