// SPDX-License-Identifier: Apache-2.0
#include "apply_breakdown.h"

#include <fmt/format.h>

#include <algorithm>
#include <cmath>
#include <cstdio>

#include "apply_phases.h"
#include "bench_output.h"
#include "core/reconcile.h"
#include "daemon/shaper.h"
#include "sample_stats.h"

namespace nettoll::bench {
namespace {

constexpr int kProbes = 2000;

double rounded(double value) { return std::round(value * 1000) / 1000; }

void report_phases(const std::string& step, size_t rules, const ApplyPhases& phases) {
  nlohmann::json kinds = nlohmann::json::object();
  std::string text = fmt::format("  {:>5} rules  {:<10} observe {:.2f} ms, reconcile {:.2f} ms", rules, step,
                                 phases.observe_ms, phases.reconcile_ms);
  for (const auto& [kind, time] : phases.changes) {
    const double each_us = time.total_ms * 1000 / static_cast<double>(time.count);
    text += fmt::format("; {} x{} {:.2f} ms ({:.0f} us each)", kind, time.count, time.total_ms, each_us);
    kinds[kind] = {
        {"count", time.count}, {"total_ms", rounded(time.total_ms)}, {"each_us", rounded(each_us)}};
  }
  report(text, {{"bench", "apply_time_phases"},
                {"step", step},
                {"rules", rules},
                {"observe_ms", rounded(phases.observe_ms)},
                {"reconcile_ms", rounded(phases.reconcile_ms)},
                {"changes", kinds}});
}

// The average of the first and of the last tenth of the adds, in order.
void report_add_growth(size_t rules, const std::vector<double>& add_us) {
  const size_t tenth = std::max<size_t>(add_us.size() / 10, 1);
  const double first = mean({add_us.begin(), add_us.begin() + static_cast<long>(tenth)});
  const double last = mean({add_us.end() - static_cast<long>(tenth), add_us.end()});
  report(fmt::format("  {:>5} rules  AddClass: first {} adds {:.1f} us each, last {} adds {:.1f} us each",
                     rules, tenth, first, tenth, last),
         {{"bench", "apply_time_add_growth"},
          {"rules", rules},
          {"adds", add_us.size()},
          {"first_tenth_us", rounded(first)},
          {"last_tenth_us", rounded(last)}});
}

void report_parent_check(size_t rules, double probe_us, size_t adds) {
  const double total_ms = probe_us * static_cast<double>(adds) / 1000;
  report(
      fmt::format("  {:>5} rules  parent check (one RTM_GETTCLASS of 7a:1) {:.1f} us, x{} adds = {:.1f} ms",
                  rules, probe_us, adds, total_ms),
      {{"bench", "apply_time_parent_check"},
       {"rules", rules},
       {"probe_us", rounded(probe_us)},
       {"adds", adds},
       {"total_ms", rounded(total_ms)}});
}

}  // namespace

void report_apply_breakdown(NetlinkSocket& socket, size_t rules, const Plan& plan, const Plan& changed_plan) {
  auto first = apply_in_phases(socket, plan);
  auto probe = class_probe_us(socket, "vA", Handle{kHtbMajor, kRootClassMinor}, kProbes);
  auto rate_only = apply_in_phases(socket, changed_plan);
  if (auto shaper = Shaper::open()) (void)shaper->clear(managed_devices_of(plan));
  if (!first || !rate_only || !probe) {
    std::fprintf(stderr, "apply breakdown: %s\n",
                 (!first       ? first.error()
                  : !rate_only ? rate_only.error()
                               : probe.error())
                     .c_str());
    return;
  }
  report_phases("first", rules, *first);
  report_add_growth(rules, first->add_class_us);
  report_parent_check(rules, *probe, first->add_class_us.size());
  report_phases("rate-only", rules, *rate_only);
}

}  // namespace nettoll::bench
