// SPDX-License-Identifier: Apache-2.0
// What per-process accounting costs (issue 14), on the eBPF path, in a
// ProcessSandbox of its own (two namespaces, a cgroup for the daemon's
// --cgroup, its own runtime dir, state file and usage database):
//   (a) single-stream TCP A->B over the veth without nettoll, with
//       `accounting: true` (the counting programs only), with global limits
//       far above the veth (HTB + counting) and with one rule matching the
//       flow (HTB + classification + counting); and the tc programs' mean
//       run time per packet in each, from the kernel's BPF statistics
//       (BPF_ENABLE_STATS, on only while this holds its descriptor), read
//       for the programs on vA only (other daemons on the machine have
//       programs of the same name);
//   (b) the daemon's CPU (schedstat) and memory with `accounting: true`,
//       idle and with 1,000 processes each holding a UDP socket that sends a
//       datagram a second.
//   accounting_bench [--only a|b]
// Takes about 3 minutes.
#include <bpf/bpf.h>
#include <fmt/format.h>
#include <unistd.h>

#include <chrono>
#include <cstdio>
#include <exception>
#include <map>
#include <optional>
#include <regex>
#include <string>
#include <vector>

#include "bench_output.h"
#include "process_daemon.h"
#include "process_interruption.h"
#include "process_sandbox.h"
#include "process_throughput.h"
#include "sample_stats.h"

namespace nettoll::bench {
namespace {

using namespace std::chrono_literals;

constexpr int kRepetitions = 3;
constexpr int kRunSeconds = 5;
constexpr int kSenders = 1000;
constexpr auto kCpuWindow = 20s;
constexpr const char* kReady = "eBPF programs on vA";

struct Setup {
  std::string name;
  std::string config;  // "": no nettoll
};

std::vector<Setup> throughput_setups() {
  return {{"no nettoll", ""},
          {"accounting: true", "accounting: true\n"},
          {"HTB, no rules", unshaped_config(0)},
          {"HTB + 1 rule", unshaped_config(1)}};
}

struct ProgramTotals {
  uint64_t run_time_ns = 0;
  uint64_t run_count = 0;
};

// The BPF programs tc shows on vA (both hooks), summed.
ProgramTotals programs_on_va(const ProcessSandbox& sandbox) {
  const std::string shown =
      sandbox.testbed().run_in_a("tc filter show dev vA ingress; tc filter show dev vA egress").output;
  const std::regex id_pattern(R"( id (\d+))");
  ProgramTotals totals;
  for (auto it = std::sregex_iterator(shown.begin(), shown.end(), id_pattern); it != std::sregex_iterator();
       ++it) {
    const int fd = bpf_prog_get_fd_by_id(static_cast<uint32_t>(std::stoul((*it)[1].str())));
    if (fd < 0) continue;
    bpf_prog_info info{};
    uint32_t length = sizeof(info);
    if (bpf_obj_get_info_by_fd(fd, &info, &length) == 0) {
      totals.run_time_ns += info.run_time_ns;
      totals.run_count += info.run_cnt;
    }
    ::close(fd);
  }
  return totals;
}

struct Run {
  double gbit = 0;
  double ns_per_packet = -1;  // -1: no programs
};

std::optional<Run> run_setup(const ProcessSandbox& sandbox, const Setup& setup) {
  if (setup.config.empty()) {
    if (sandbox.testbed().run_in_a("tc qdisc show dev vA").output.find("clsact") != std::string::npos) {
      std::fprintf(stderr, "accounting_bench: a clsact is left on vA; no baseline\n");
      return std::nullopt;
    }
    const auto gbit = ntfast_gbit(sandbox, kRunSeconds);
    return gbit ? std::optional<Run>(Run{*gbit}) : std::nullopt;
  }
  DaemonSession daemon(sandbox, setup.config, "bpf", kReady);
  if (!daemon.error().empty()) {
    std::fprintf(stderr, "accounting_bench (%s): %s\n", setup.name.c_str(), daemon.error().c_str());
    return std::nullopt;
  }
  const int stats_fd = bpf_enable_stats(BPF_STATS_RUN_TIME);
  const ProgramTotals before = programs_on_va(sandbox);
  const auto gbit = ntfast_gbit(sandbox, kRunSeconds);
  const ProgramTotals after = programs_on_va(sandbox);
  if (stats_fd >= 0) ::close(stats_fd);
  if (!gbit) return std::nullopt;
  Run run{*gbit};
  if (stats_fd >= 0 && after.run_count > before.run_count) {
    run.ns_per_packet =
        double(after.run_time_ns - before.run_time_ns) / double(after.run_count - before.run_count);
  }
  return run;
}

bool report_throughput_and_cost(const ProcessSandbox& sandbox) {
  auto server = sandbox.start_in_b({"iperf3", "-s", "-p", "5201"});
  pause_for(300ms);
  std::printf(
      "(a) single-stream TCP A->B over the veth, %d s runs, median of %d interleaved; BPF/packet = mean run "
      "time of the tc programs on vA (kernel BPF statistics)\n",
      kRunSeconds, kRepetitions);
  std::printf("  %-18s %8s  %-18s %9s  %10s\n", "setup", "Gbit/s", "runs", "vs none", "BPF/packet");
  const std::vector<Setup> setups = throughput_setups();
  std::map<std::string, std::vector<double>> gbit, ns;
  for (int repetition = 0; repetition < kRepetitions; ++repetition) {
    for (const Setup& setup : setups) {
      if (interrupted()) return false;
      auto run = run_setup(sandbox, setup);
      if (!run && !interrupted()) run = run_setup(sandbox, setup);  // iperf3 is not what is measured
      if (!run) return false;
      gbit[setup.name].push_back(run->gbit);
      if (run->ns_per_packet >= 0) ns[setup.name].push_back(run->ns_per_packet);
    }
  }
  const double baseline = percentile(gbit[setups[0].name], 0.5);
  for (const Setup& setup : setups) {
    const double median = percentile(gbit[setup.name], 0.5);
    const double per_packet = ns[setup.name].empty() ? -1 : percentile(ns[setup.name], 0.5);
    std::string runs;
    for (double value : gbit[setup.name]) runs += fmt::format("{:.2f} ", value);
    nlohmann::json figure{{"bench", "accounting_throughput"},
                          {"setup", setup.name},
                          {"runs_gbit", gbit[setup.name]},
                          {"median_gbit", median},
                          {"change_vs_none_pct", (median - baseline) / baseline * 100}};
    if (per_packet >= 0) figure["bpf_ns_per_packet"] = per_packet;
    report(fmt::format("  {:<18} {:>8.2f}  {:<18} {:>+7.1f} %  {:>10}", setup.name, median, runs,
                       (median - baseline) / baseline * 100,
                       per_packet >= 0 ? fmt::format("{:.0f} ns", per_packet) : "-"),
           figure);
  }
  return true;
}

// Processes the daemon lists in `nettoll top --once --json`.
size_t listed_processes(const ProcessSandbox& sandbox) {
  const auto reply = testing::run_command(testing::nettoll_binary() + " top --once --json --socket " +
                                          sandbox.bin_dir() + "/api.sock");
  const auto stats = nlohmann::json::parse(reply.output, nullptr, false);
  return stats.is_discarded() ? 0 : stats.value("processes", nlohmann::json::array()).size();
}

double cpu_percent_over(pid_t pid, std::chrono::seconds window) {
  const double before = cpu_seconds(pid);
  pause_for(window);
  return (cpu_seconds(pid) - before) / double(window.count()) * 100;
}

bool report_daemon_with_processes(const ProcessSandbox& sandbox, const std::string& senders_program) {
  if (!sandbox.install_copy(senders_program, "ntsenders")) return false;
  std::printf(
      "(b) the daemon with `accounting: true`, idle and with %d processes sending a datagram a second "
      "(CPU over %lld s, schedstat)\n",
      kSenders, static_cast<long long>(kCpuWindow.count()));
  DaemonSession daemon(sandbox, "accounting: true\n", "bpf", kReady);
  if (!daemon.error().empty()) {
    std::fprintf(stderr, "accounting_bench (b): %s\n", daemon.error().c_str());
    return false;
  }
  const double idle_cpu = cpu_percent_over(daemon.pid(), kCpuWindow);
  const long idle_rss = memory_kib(daemon.pid(), "VmRSS");
  const int lifetime = static_cast<int>(kCpuWindow.count()) + 60;
  auto senders = sandbox.start_in_a(fmt::format("./ntsenders {} {} 10.77.0.2 9", kSenders, lifetime));
  if (!senders->wait_for_output(fmt::format("sending from {} processes", kSenders), 60s)) {
    std::fprintf(stderr, "accounting_bench (b): the senders did not start:\n%s\n", senders->output().c_str());
    return false;
  }
  size_t listed = 0;
  for (int tries = 0; tries < 30 && (listed = listed_processes(sandbox)) < kSenders && !interrupted();
       ++tries)
    pause_for(1s);
  const double busy_cpu = cpu_percent_over(daemon.pid(), kCpuWindow);
  const long busy_rss = memory_kib(daemon.pid(), "VmRSS");
  const long peak = memory_kib(daemon.pid(), "VmHWM");
  report(fmt::format("  idle: {:.2f} % CPU, {} KiB RSS", idle_cpu, idle_rss),
         {{"bench", "accounting_daemon"}, {"processes", 0}, {"cpu_pct", idle_cpu}, {"rss_kib", idle_rss}});
  report(fmt::format("  {} processes ({} listed by top): {:.2f} % CPU, {} KiB RSS (peak {} KiB)", kSenders,
                     listed, busy_cpu, busy_rss, peak),
         {{"bench", "accounting_daemon"},
          {"processes", kSenders},
          {"listed", listed},
          {"cpu_pct", busy_cpu},
          {"rss_kib", busy_rss},
          {"peak_rss_kib", peak}});
  return listed >= kSenders;
}

int run(const std::vector<std::string>& arguments) {
  const std::string only = arguments.size() == 2 && arguments[0] == "--only" ? arguments[1] : "";
  if ((!arguments.empty() && only.empty()) || (!only.empty() && only != "a" && only != "b")) {
    std::fprintf(stderr, "usage: accounting_bench [--only a|b]\n");
    return 2;
  }
  if (!testing::running_as_root()) {
    std::fprintf(stderr, "accounting_bench: needs root (network namespaces, tc, cgroups)\n");
    return 2;
  }
  catch_interruptions();
  ProcessSandbox sandbox;
  if (!sandbox.setup_error().empty()) {
    std::fprintf(stderr, "accounting_bench: %s\n", sandbox.setup_error().c_str());
    return 2;
  }
  if (!sandbox.install_copy("/usr/bin/iperf3", "ntfast")) return 2;
  std::printf("Per-process accounting: daemon in a test namespace, eBPF path\n");
  bool measured = true;
  if (!interrupted() && (only.empty() || only == "a"))
    measured = report_throughput_and_cost(sandbox) && measured;
  if (!interrupted() && (only.empty() || only == "b"))
    measured = report_daemon_with_processes(sandbox, ACCOUNTING_SENDERS) && measured;
  if (interrupted()) std::fprintf(stderr, "accounting_bench: interrupted, cleaned up\n");
  return measured && !interrupted() ? 0 : 1;
}

}  // namespace
}  // namespace nettoll::bench

int main(int argc, char** argv) {
  try {
    return nettoll::bench::run(std::vector<std::string>(argv + 1, argv + argc));
  } catch (const std::exception& error) {
    std::fprintf(stderr, "accounting_bench: %s\n", error.what());
    return 2;
  }
}
