// SPDX-License-Identifier: Apache-2.0
// Reserved streams in the kernel, on each classifier path (bpf, u32):
//   (a) the time from "stream added" to its classes and its classifier
//       entry (BPF map entry or u32 address filters) in place in the kernel:
//       the daemon's sequence (plan, release, shaper apply, path attach),
//       each netlink change acknowledged and each map update returned;
//       median and p99 over 40 adds, and the same for removals. The kernel
//       half of issue 13's "webhook to limit" figure.
//   (b) bpf only: what the tc programs cost per packet (kernel BPF
//       statistics) with no stream entry, with 1,000 entries none of which
//       the traffic matches, and with the traffic's own address reserved.
// Everything runs in a fresh pair of namespaces; the socket program is
// attached to a cgroup of the benchmark's own.
//
//   stream_bench [bpf|u32]...   (default: both)
#include <fmt/format.h>

#include <chrono>
#include <cstdio>
#include <filesystem>
#include <memory>
#include <string>
#include <vector>

#include "bench_output.h"
#include "core/planner.h"
#include "daemon/bpf_path.h"
#include "daemon/port_filter_path.h"
#include "daemon/shaper.h"
#include "iperf_traffic.h"
#include "kernel/kernel_capabilities.h"
#include "process_bpf_cost.h"
#include "sample_stats.h"
#include "testbed.h"

namespace nettoll::bench {
namespace {

using Clock = std::chrono::steady_clock;
constexpr int kRounds = 40;

Rate mbit(uint64_t n) { return Rate::bits_per_second(n * 1'000'000); }

Config bench_config() {
  Config config;
  config.upload.limit = mbit(500);
  config.download.limit = mbit(500);
  ProcessRule bulk;
  bulk.name = "bulk";
  bulk.bulk = true;
  config.processes = {bulk};
  config.reservations = ReservationsConfig{};
  return config;
}

// A viewer address per index: 198.18.x.y (the benchmarking range).
ReservedStream viewer(int index) {
  Cidr remote = *parse_ip_address("198.18.0.0");
  remote.address[2] = uint8_t(index >> 8);
  remote.address[3] = uint8_t(index);
  return ReservedStream{"s" + std::to_string(index), remote, mbit(10), mbit(3)};
}

// The shaper and one classifier path inside namespace A.
class StreamKernel {
 public:
  StreamKernel(const testing::Testbed& testbed, const std::string& path, const std::string& cgroup)
      : inside_(testbed.namespace_a()) {
    if (!inside_.error().empty()) {
      error_ = inside_.error();
      return;
    }
    auto socket = NetlinkSocket::open();
    auto shaper = Shaper::open();
    if (!socket || !shaper) {
      error_ = "cannot open netlink in the testbed";
      return;
    }
    socket_.emplace(std::move(*socket));
    shaper_.emplace(std::move(*shaper));
    if (path == "bpf") {
      auto bpf = BpfPath::load(cgroup);
      if (!bpf) {
        error_ = bpf.error();
        return;
      }
      path_ = std::move(*bpf);
    } else {
      auto ports = PortFilterPath::open();
      if (!ports) {
        error_ = ports.error();
        return;
      }
      path_ = std::move(*ports);
    }
    kernel_ = probe_kernel_capabilities().capabilities;
  }

  const std::string& error() const { return error_; }

  // What the daemon does when the book's streams change.
  bool apply(const std::vector<ReservedStream>& streams) {
    const Plan plan = make_plan(config_, ManagedInterface{"vA", 1500}, kernel_, {}, streams,
                                stream_slots_of(shaper_->applied()));
    auto released = path_->release_streams(plan, *socket_);
    auto applied = released ? shaper_->apply(plan) : Result<size_t>(Error{released.error()});
    auto attached = applied ? path_->attach(plan, *socket_) : Result<void>(Error{applied.error()});
    if (!attached) error_ = attached.error();
    return bool(attached);
  }

 private:
  testing::ScopedNetworkNamespace inside_;
  std::optional<NetlinkSocket> socket_;
  std::optional<Shaper> shaper_;
  std::unique_ptr<ClassifierPath> path_;
  Config config_ = bench_config();
  KernelCapabilities kernel_;
  std::string error_;
};

double milliseconds_since(Clock::time_point start) {
  return std::chrono::duration<double, std::milli>(Clock::now() - start).count();
}

// (a): with one other viewer streaming throughout, add and remove a second.
void measure_activation(StreamKernel& kernel, const std::string& path) {
  std::vector<double> adds, removes;
  const ReservedStream other = viewer(1);
  if (!kernel.apply({other})) return;
  for (int round = 0; round < kRounds; ++round) {
    auto start = Clock::now();
    if (!kernel.apply({other, viewer(2)})) break;
    adds.push_back(milliseconds_since(start));
    start = Clock::now();
    if (!kernel.apply({other})) break;
    removes.push_back(milliseconds_since(start));
  }
  if (!kernel.error().empty()) std::printf("  %s: %s\n", path.c_str(), kernel.error().c_str());
  for (const auto& [what, samples] : {std::pair{"added", &adds}, std::pair{"removed", &removes}}) {
    report(fmt::format(
               "  {:<4} stream {:<8} class + classifier entry in the kernel: median {:.2f} ms, p99 {:.2f} ms "
               "({} rounds)",
               path, what, percentile(*samples, 0.5), percentile(*samples, 0.99), samples->size()),
           {{"bench", "stream_activation"},
            {"path", path},
            {"event", what},
            {"median_ms", percentile(*samples, 0.5)},
            {"p99_ms", percentile(*samples, 0.99)},
            {"rounds", samples->size()}});
  }
}

// (b): ns per run of the tc programs over an upload and a download.
double ns_per_packet(const testing::Testbed& testbed) {
  const ProgramRuns before = classifier_program_runs();
  for (bool download : {false, true}) {
    IperfTraffic traffic(testbed, IperfOptions{download, false, 0, 1, 3});
    (void)traffic.wait_for_report();
  }
  const ProgramRuns after = classifier_program_runs();
  ProgramRuns delta{after.run_time_ns - before.run_time_ns, after.run_count - before.run_count};
  return delta.ns_per_run();
}

void measure_packet_cost(StreamKernel& kernel, const testing::Testbed& testbed) {
  BpfRunTimeStats stats;
  if (!stats.enabled()) {
    std::printf("  cannot enable the kernel's BPF statistics: per-packet cost not measured\n");
    return;
  }
  std::vector<ReservedStream> thousand;
  for (int i = 1; i <= 1000; ++i) thousand.push_back(viewer(i));
  std::vector<ReservedStream> own = {
      ReservedStream{"own", *parse_ip_address("10.77.0.2"), mbit(400), mbit(400)}};
  struct Case {
    const char* name;
    std::vector<ReservedStream> streams;
  };
  for (const Case& c : {Case{"no stream entries", {}}, Case{"1000 entries, traffic not matching", thousand},
                        Case{"traffic's address reserved", own}}) {
    if (!kernel.apply(c.streams)) {
      std::printf("  %s: %s\n", c.name, kernel.error().c_str());
      continue;
    }
    const double ns = ns_per_packet(testbed);
    report(fmt::format("  bpf  tc programs per packet, {:<36} {:.0f} ns", c.name + std::string(":"), ns),
           {{"bench", "stream_bpf_cost"}, {"case", c.name}, {"ns_per_packet", ns}});
  }
}

int run(std::vector<std::string> paths) {
  if (!testing::running_as_root()) {
    std::fprintf(stderr, "stream_bench: needs root (network namespaces, tc, BPF)\n");
    return 2;
  }
  if (paths.empty()) paths = {"bpf", "u32"};
  const std::string cgroup = cgroup_v2_root() + "/nettoll-bench-" + std::to_string(getpid());
  std::filesystem::create_directory(cgroup);
  std::printf("reserved streams in the kernel (%d rounds per path)\n", kRounds);
  for (const std::string& path : paths) {
    testing::Testbed testbed;
    if (!testbed.setup_error().empty()) {
      std::fprintf(stderr, "stream_bench: %s\n", testbed.setup_error().c_str());
      return 2;
    }
    StreamKernel kernel(testbed, path, cgroup);
    if (!kernel.error().empty()) {
      std::fprintf(stderr, "stream_bench: %s: %s\n", path.c_str(), kernel.error().c_str());
      continue;
    }
    measure_activation(kernel, path);
    if (path == "bpf") measure_packet_cost(kernel, testbed);
  }
  std::filesystem::remove(cgroup);
  return 0;
}

}  // namespace
}  // namespace nettoll::bench

int main(int argc, char** argv) { return nettoll::bench::run({argv + 1, argv + argc}); }
