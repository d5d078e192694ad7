// SPDX-License-Identifier: Apache-2.0
// Runs are interleaved (each repetition goes through every setup once) so
// that a slow phase of the shared machine spreads over all setups instead of
// landing on one. Each run with a daemon starts a fresh one, which also
// makes the rule class's byte counter the run's own: its share of the root
// class's bytes checks that the flow really went through classification.
#include "process_throughput.h"

#include <fmt/format.h>

#include <cstdio>
#include <map>
#include <optional>

#include "bench_output.h"
#include "iperf_traffic.h"
#include "process_bpf_cost.h"
#include "process_daemon.h"
#include "process_interruption.h"
#include "sample_stats.h"
#include "tc_text.h"

namespace nettoll::bench {
namespace {

using namespace std::chrono_literals;

constexpr int kRepetitions = 3;
constexpr int kRunSeconds = 5;
constexpr double kTargetLossPercent = 5.0;
constexpr const char* kServerPort = "5201";

struct Setup {
  std::string name;
  int rules = -1;  // -1: no nettoll at all
};

const std::vector<Setup> kDaemonSetups{{"HTB only, no rules", 0}, {"1 rule", 1}, {"1000 rules", 1000}};
const Setup kBaseline{"no nettoll", -1};

struct Run {
  double gbit = 0;
  double classified_percent = -1;  // share of the root class's bytes in the rule's class; -1: no rule
  double classifier_ns = -1;       // the tc programs' mean run time per packet; -1: not the bpf path
};

// Samples of one (path, setup) row.
struct Row {
  std::vector<double> gbit;
  std::vector<double> classified_percent;
  std::vector<double> classifier_ns;
};

std::optional<double> iperf_gbit(const testing::ChildProcess& client) {
  const std::string output = client.output();
  const size_t brace = output.find('{');
  const auto report =
      nlohmann::json::parse(brace == std::string::npos ? "" : output.substr(brace), nullptr, false);
  if (report.is_discarded()) return std::nullopt;
  const double mbit = receiver_goodput_mbit(report);
  return mbit > 0 ? std::optional<double>(mbit / 1000) : std::nullopt;
}

// Share (%) of vA's root class bytes that went through `class_id`.
double classified_percent(const ProcessSandbox& sandbox, const std::string& class_id) {
  const auto classes =
      testing::parse_tc_classes(sandbox.testbed().run_in_a("tc -s class show dev vA").output);
  if (!classes.contains(class_id) || !classes.contains("7a:1") || classes.at("7a:1").sent_bytes == 0) {
    return 0;
  }
  return 100.0 * static_cast<double>(classes.at(class_id).sent_bytes) /
         static_cast<double>(classes.at("7a:1").sent_bytes);
}

// Why iperf3 failed: the "error" of its JSON report, else its last words.
std::string iperf_error(const testing::ChildProcess& client) {
  const std::string output = client.output();
  const size_t brace = output.find('{');
  const auto report =
      nlohmann::json::parse(brace == std::string::npos ? "" : output.substr(brace), nullptr, false);
  if (!report.is_discarded() && report.contains("error")) return report["error"].dump();
  return output.substr(output.size() > 2000 ? output.size() - 2000 : 0);
}

// One run of `setup` on `path`; nullopt when something failed (said on stderr).
std::optional<Run> run_setup(const ProcessSandbox& sandbox, const std::string& path, const Setup& setup) {
  if (setup.rules < 0) {
    // A daemon that failed to clean up would make the baseline a shaped run.
    if (sandbox.testbed().run_in_a("tc qdisc show dev vA").output.find("htb") != std::string::npos) {
      std::fprintf(stderr, "process_bench (c): an HTB is left on vA; no baseline\n");
      return std::nullopt;
    }
    const auto gbit = ntfast_gbit(sandbox, kRunSeconds);
    return gbit ? std::optional<Run>(Run{*gbit, -1}) : std::nullopt;
  }
  const std::string config = unshaped_config(setup.rules);
  const auto rule_class = setup.rules > 0 ? planned_rule_class(sandbox, config, "fast") : std::nullopt;
  DaemonSession daemon(sandbox, config, path);
  if (!daemon.error().empty() || (setup.rules > 0 && !rule_class)) {
    std::fprintf(stderr, "process_bench (c, %s, %s): %s\n", path.c_str(), setup.name.c_str(),
                 daemon.error().empty() ? "no class for rule fast in the plan" : daemon.error().c_str());
    return std::nullopt;
  }
  const BpfRunTimeStats stats;
  const ProgramRuns before = classifier_program_runs();
  const auto gbit = ntfast_gbit(sandbox, kRunSeconds);
  if (!gbit) return std::nullopt;
  const ProgramRuns after = classifier_program_runs();
  Run run{*gbit, rule_class ? classified_percent(sandbox, rule_class->class_id) : -1};
  if (path == "bpf" && stats.enabled() && after.run_count > before.run_count) {
    run.classifier_ns =
        double(after.run_time_ns - before.run_time_ns) / double(after.run_count - before.run_count);
  }
  return run;
}

// Change of `gbit` against `reference`, in percent (negative: slower).
double change_percent(double gbit, double reference) { return (gbit - reference) / reference * 100; }

// Throughput lost against `reference`, in percent (negative: faster).
double loss_percent(double gbit, double reference) { return (reference - gbit) / reference * 100; }

void report_row(const std::string& path, const Setup& setup, const Row& row, double baseline, double htb_only,
                double one_rule) {
  const double median = percentile(row.gbit, 0.5);
  const double loss = loss_percent(median, baseline);
  const double classified = row.classified_percent.empty() ? -1 : percentile(row.classified_percent, 0.5);
  const double classifier_ns = row.classifier_ns.empty() ? -1 : percentile(row.classifier_ns, 0.5);
  // Classification's cost is judged against the same HTB without rules: HTB
  // itself (one qdisc lock at 10 Gbit/s) costs what it costs with or
  // without nettoll's classifier.
  const bool judged = setup.rules == 1000;
  const bool ok = loss_percent(median, htb_only) < kTargetLossPercent;
  nlohmann::json figure{{"bench", "process_throughput"},     {"path", path},          {"setup", setup.name},
                        {"rules", std::max(setup.rules, 0)}, {"runs_gbit", row.gbit}, {"median_gbit", median},
                        {"loss_vs_baseline_pct", loss}};
  if (setup.rules > 0) {
    figure["loss_vs_htb_only_pct"] = loss_percent(median, htb_only);
    figure["classified_pct"] = classified;
    if (classifier_ns >= 0) figure["classifier_ns_per_packet"] = classifier_ns;
  }
  if (judged) {
    figure["loss_vs_one_rule_pct"] = loss_percent(median, one_rule);
    figure["target_loss_pct"] = kTargetLossPercent;
    figure["meets_target"] = ok;
  }
  std::string runs;
  for (double gbit : row.gbit) runs += fmt::format("{:.2f} ", gbit);
  report(fmt::format("  {:<8} {:<20} {:>8.2f}  {:<18} {:>+7.1f} %  {:>11}  {:>10}  {:>10}  {}", path,
                     setup.name, median, runs, change_percent(median, baseline),
                     setup.rules > 0 ? fmt::format("{:+.1f} %", change_percent(median, htb_only)) : "-",
                     classified >= 0 ? fmt::format("{:.1f} %", classified) : "-",
                     classifier_ns >= 0 ? fmt::format("{:.0f} ns", classifier_ns) : "-",
                     judged ? (ok ? "ok" : "MISSED") : ""),
         figure);
}

}  // namespace

std::optional<double> ntfast_gbit(const ProcessSandbox& sandbox, int seconds) {
  auto client =
      sandbox.start_in_a(fmt::format("./ntfast -4 -c 10.77.0.2 -p {} -t {} -J", kServerPort, seconds));
  const auto status = client->wait_for_exit(std::chrono::seconds(seconds + 15));
  const auto gbit = status == 0 ? iperf_gbit(*client) : std::nullopt;
  if (!gbit) {
    std::fprintf(stderr, "the ntfast client failed: %s\n", iperf_error(*client).c_str());
  }
  return gbit;
}

std::string unshaped_config(int rules) {
  std::string yaml = "upload: 100gbit\ndownload: 100gbit\n";
  if (rules > 0) yaml += "processes:\n";
  for (int i = 0; i + 1 < rules; ++i)
    yaml += fmt::format("  none{0}:\n    match: [{{name: ntnone{0}}}]\n", i);
  if (rules > 0) yaml += "  fast:\n    match: [{name: ntfast}]\n";
  return yaml;
}

bool report_unshaped_throughput(const ProcessSandbox& sandbox, const std::vector<std::string>& paths) {
  auto server = sandbox.start_in_b({"iperf3", "-s", "-p", kServerPort});
  pause_for(300ms);
  std::printf(
      "(c) single-stream TCP A->B over the veth, unlimited (global 100gbit, rules without limits), %d s "
      "runs, "
      "median of %d interleaved; classified = share of the bytes in the rule's class; BPF/packet = mean run "
      "time of the tc classifier programs (kernel BPF statistics) (target: 1000 rules within %.0f %% of the "
      "same HTB without rules)\n",
      kRunSeconds, kRepetitions, kTargetLossPercent);
  std::printf("  %-8s %-20s %8s  %-18s %9s  %11s  %10s  %10s\n", "path", "setup", "Gbit/s", "runs", "vs none",
              "vs HTB only", "classified", "BPF/packet");
  std::map<std::pair<std::string, std::string>, Row> rows;
  for (int repetition = 0; repetition < kRepetitions; ++repetition) {
    std::vector<std::pair<std::string, Setup>> order{{"-", kBaseline}};
    for (const std::string& path : paths) {
      for (const Setup& setup : kDaemonSetups) order.emplace_back(path, setup);
    }
    for (const auto& [path, setup] : order) {
      if (interrupted()) return false;
      auto run = run_setup(sandbox, path, setup);
      // iperf3 measures here, it is not what is measured: one retry.
      if (!run && !interrupted()) {
        std::fprintf(stderr, "process_bench (c): retrying %s %s once\n", path.c_str(), setup.name.c_str());
        run = run_setup(sandbox, path, setup);
      }
      if (!run) return false;
      Row& row = rows[{path, setup.name}];
      row.gbit.push_back(run->gbit);
      if (run->classified_percent >= 0) row.classified_percent.push_back(run->classified_percent);
      if (run->classifier_ns >= 0) row.classifier_ns.push_back(run->classifier_ns);
    }
  }
  const double baseline = percentile(rows[{"-", kBaseline.name}].gbit, 0.5);
  report_row("-", kBaseline, rows[{"-", kBaseline.name}], baseline, baseline, baseline);
  for (const std::string& path : paths) {
    const double htb_only = percentile(rows[{path, kDaemonSetups[0].name}].gbit, 0.5);
    const double one_rule = percentile(rows[{path, kDaemonSetups[1].name}].gbit, 0.5);
    for (const Setup& setup : kDaemonSetups) {
      report_row(path.empty() ? "default" : path, setup, rows[{path, setup.name}], baseline, htb_only,
                 one_rule);
    }
  }
  return true;
}

}  // namespace nettoll::bench
