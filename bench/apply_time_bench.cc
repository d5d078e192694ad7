// SPDX-License-Identifier: Apache-2.0
// Apply time with 1, 100 and 1000 process rules (each a class and a leaf fifo
// per direction): `nettoll apply` from process start to its "shaping" log
// line; the same apply in process through Shaper (first apply, re-apply of the
// same plan, a rate-only change, clear); and where the time goes. Each figure
// is the median of a few runs (min and max beside it). Targets: 1000 classes
// in < 1 s, a rate-only change in < 10 ms.
#include <fmt/format.h>
#include <signal.h>
#include <spdlog/spdlog.h>

#include <chrono>
#include <cmath>
#include <cstdio>
#include <fstream>
#include <optional>
#include <thread>

#include "apply_breakdown.h"
#include "bench_output.h"
#include "child_process.h"
#include "core/config_loader.h"
#include "daemon/interface_plan.h"
#include "daemon/shaper.h"
#include "rule_config.h"
#include "sample_stats.h"
#include "shaping_session.h"
#include "testbed.h"

namespace nettoll::bench {
namespace {

using namespace std::chrono_literals;
using Clock = std::chrono::steady_clock;

constexpr double kTargetFirstApplyMs = 1000;  // for 1000 classes
constexpr double kTargetRateChangeMs = 10;
constexpr size_t kRuleCounts[] = {1, 100, 1000};
constexpr int kProcessRuns = 3;
constexpr int kShaperRuns = 5;

double ms_since(Clock::time_point start) {
  return std::chrono::duration<double, std::milli>(Clock::now() - start).count();
}

double rounded(double value) { return std::round(value * 1000) / 1000; }

// Median, min and max of some runs, as JSON.
nlohmann::json spread(const std::vector<double>& ms) {
  return {{"median", rounded(percentile(ms, 0.5))},
          {"min", rounded(percentile(ms, 0))},
          {"max", rounded(percentile(ms, 1))}};
}

std::string verdict(bool applies, bool ok) { return !applies ? "-" : ok ? "ok" : "MISSED"; }

// "shaping vA: 2007 change(s)" → 2007; -1 when absent.
long changes_logged(const std::string& output) {
  const size_t at = output.find("shaping vA: ");
  return at == std::string::npos ? -1 : std::stol(output.substr(at + 12));
}

struct ProcessRun {
  double shaping_ms = -1;  // fork → "shaping vA" (polled every millisecond)
  double exit_ms = -1;     // SIGTERM → exit (the cleanup)
  long changes = -1;
};

ProcessRun run_apply_process(const testing::Testbed& testbed, const std::string& config_path) {
  ProcessRun run;
  const auto start = Clock::now();
  testing::ChildProcess apply({testing::nettoll_binary(), "apply", "-c", config_path, "--interface", "vA",
                               "--netns", testbed.namespace_a(), "--runtime-dir", config_path + ".run"});
  while (ms_since(start) < 30'000) {
    if (apply.output().find("shaping vA") != std::string::npos) {
      run.shaping_ms = ms_since(start);
      break;
    }
    std::this_thread::sleep_for(1ms);
  }
  run.changes = changes_logged(apply.output());
  const auto stop = Clock::now();
  apply.signal(SIGTERM);
  const auto status = apply.wait_for_exit(30s);
  run.exit_ms = ms_since(stop);
  if (run.shaping_ms < 0 || status != 0)
    std::fprintf(stderr, "apply_time_bench:\n%s\n", apply.output().c_str());
  return run;
}

void time_apply_process(const testing::Testbed& testbed, size_t rules) {
  const std::string path = temporary_config_path("rules");
  std::ofstream(path) << config_with_rules(rules);
  std::vector<double> shaping, exits;
  long changes = -1;
  for (int i = 0; i < kProcessRuns; ++i) {
    const ProcessRun run = run_apply_process(testbed, path);
    shaping.push_back(run.shaping_ms);
    exits.push_back(run.exit_ms);
    changes = run.changes;
  }
  std::remove(path.c_str());
  const double median = percentile(shaping, 0.5);
  const bool ok = rules < 1000 || (percentile(shaping, 0) >= 0 && median < kTargetFirstApplyMs);
  report(fmt::format("  {:>5} rules {:>5} changes  start->shaping {:>7.1f} ms (min {:>6.1f}, max {:>6.1f})  "
                     "SIGTERM->exit {:>6.1f} ms  {}",
                     rules, changes, median, percentile(shaping, 0), percentile(shaping, 1),
                     percentile(exits, 0.5), verdict(rules >= 1000, ok)),
         {{"bench", "apply_time_process"},
          {"rules", rules},
          {"runs", kProcessRuns},
          {"changes", changes},
          {"start_to_shaping_ms", spread(shaping)},
          {"sigterm_to_exit_ms", spread(exits)},
          {"target_ms", rules >= 1000 ? nlohmann::json(kTargetFirstApplyMs) : nlohmann::json(nullptr)},
          {"meets_target", ok}});
}

std::optional<Config> load_rules(size_t rules, size_t changed_rule, int changed_mbit) {
  LoadedConfig loaded = load_config_text(config_with_rules(rules, changed_rule, changed_mbit), "bench.yaml");
  if (!loaded.ok()) std::fprintf(stderr, "apply_time_bench: the generated config has errors\n");
  return loaded.config;
}

Result<Plan> plan_config(NetlinkSocket& socket, const std::optional<Config>& config) {
  if (!config) return Error{"no config"};
  NaturalGsoSizes natural_gso;
  return plan_for_interface(socket, *config, "vA", natural_gso);
}

// Milliseconds of one Shaper::apply; `changes` gets its count (-1 on failure).
double time_shaper_apply(Shaper& shaper, const Plan& plan, long& changes) {
  const auto start = Clock::now();
  auto changed = shaper.apply(plan);
  const double ms = ms_since(start);
  changes = changed ? static_cast<long>(*changed) : -1;
  if (!changed) std::fprintf(stderr, "apply_time_bench: %s\n", changed.error().c_str());
  return ms;
}

struct ShaperTimes {
  std::vector<double> load, plan, first, same, rate_only, clear;
  long first_changes = -1, same_changes = -1, rate_only_changes = -1;
};

// One round inside namespace A: load, plan, first apply, the same plan
// again, a rate-only change (rule rules/2's upload limit), clear.
void shaper_round(NetlinkSocket& socket, size_t rules, ShaperTimes& times) {
  auto start = Clock::now();
  const std::optional<Config> config = load_rules(rules, SIZE_MAX, 10);
  times.load.push_back(ms_since(start));
  start = Clock::now();
  auto plan = plan_config(socket, config);
  times.plan.push_back(ms_since(start));
  auto changed_plan = plan_config(socket, load_rules(rules, rules / 2, 5));
  auto shaper = Shaper::open();
  if (!shaper || !plan || !changed_plan) {
    std::fprintf(stderr, "apply_time_bench: cannot plan or open the shaper\n");
    return;
  }
  times.first.push_back(time_shaper_apply(*shaper, *plan, times.first_changes));
  times.same.push_back(time_shaper_apply(*shaper, *plan, times.same_changes));
  times.rate_only.push_back(time_shaper_apply(*shaper, *changed_plan, times.rate_only_changes));
  start = Clock::now();
  if (auto cleared = shaper->clear(); !cleared)
    std::fprintf(stderr, "apply_time_bench: %s\n", cleared.error().c_str());
  times.clear.push_back(ms_since(start));
}

void time_shaper(NetlinkSocket& socket, size_t rules) {
  ShaperTimes t;
  for (int i = 0; i < kShaperRuns; ++i) shaper_round(socket, rules, t);
  const double first = percentile(t.first, 0.5);
  const double rate_only = percentile(t.rate_only, 0.5);
  const bool first_ok = rules < 1000 || first < kTargetFirstApplyMs;
  const bool rate_ok = rate_only < kTargetRateChangeMs;
  report(fmt::format(
             "  {:>5} rules  load {:>6.2f}  plan {:>5.2f}  first apply {:>7.2f} ({:>4} changes) {:<6}  "
             "same plan {:>5.2f} ({} changes)  rate-only {:>5.2f} (min {:>5.2f}, max {:>5.2f}; {} changes) "
             "{:<6}  clear {:>6.2f}",
             rules, percentile(t.load, 0.5), percentile(t.plan, 0.5), first, t.first_changes,
             verdict(rules >= 1000, first_ok), percentile(t.same, 0.5), t.same_changes, rate_only,
             percentile(t.rate_only, 0), percentile(t.rate_only, 1), t.rate_only_changes,
             verdict(true, rate_ok), percentile(t.clear, 0.5)),
         {{"bench", "apply_time_in_process"},
          {"rules", rules},
          {"runs", kShaperRuns},
          {"config_load_ms", spread(t.load)},
          {"plan_ms", spread(t.plan)},
          {"first_apply_ms", spread(t.first)},
          {"first_apply_changes", t.first_changes},
          {"same_plan_ms", spread(t.same)},
          {"same_plan_changes", t.same_changes},
          {"rate_only_ms", spread(t.rate_only)},
          {"rate_only_changes", t.rate_only_changes},
          {"clear_ms", spread(t.clear)},
          {"target_first_apply_ms",
           rules >= 1000 ? nlohmann::json(kTargetFirstApplyMs) : nlohmann::json(nullptr)},
          {"target_rate_only_ms", kTargetRateChangeMs},
          {"meets_target", first_ok && rate_ok}});
}

void breakdown(NetlinkSocket& socket, size_t rules) {
  auto plan = plan_config(socket, load_rules(rules, SIZE_MAX, 10));
  auto changed_plan = plan_config(socket, load_rules(rules, rules / 2, 5));
  if (plan && changed_plan) report_apply_breakdown(socket, rules, *plan, *changed_plan);
}

int run() {
  spdlog::set_level(spdlog::level::warn);
  testing::Testbed testbed;
  if (!testbed.setup_error().empty()) {
    std::fprintf(stderr, "apply_time_bench: %s\n", testbed.setup_error().c_str());
    return 2;
  }
  std::printf(
      "Apply time, nettoll apply as a process: fork to the \"shaping vA\" log line, median of %d runs "
      "(target for 1000 rules < %.0f ms)\n",
      kProcessRuns, kTargetFirstApplyMs);
  for (size_t rules : kRuleCounts) time_apply_process(testbed, rules);
  testing::ScopedNetworkNamespace inside(testbed.namespace_a());
  auto socket = NetlinkSocket::open();
  if (!inside.error().empty() || !socket) {
    std::fprintf(stderr, "apply_time_bench: cannot enter %s\n", testbed.namespace_a().c_str());
    return 2;
  }
  std::printf(
      "Apply time in process: Shaper::apply in namespace A, ms, median of %d runs; rate-only = one rule's "
      "upload limit changed (target < %.0f ms)\n",
      kShaperRuns, kTargetRateChangeMs);
  for (size_t rules : kRuleCounts) time_shaper(*socket, rules);
  std::printf("Where the time goes: the steps of Shaper::apply timed one by one (one run)\n");
  for (size_t rules : kRuleCounts) breakdown(*socket, rules);
  return 0;
}

}  // namespace
}  // namespace nettoll::bench

int main() { return nettoll::bench::run(); }
