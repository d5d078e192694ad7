// SPDX-License-Identifier: Apache-2.0
// `nettoll usage [--since 7d | --period month] [--by process|rule|day|hour]
// [--json] [--db PATH]`: the usage history, read from the database
// (read-only), so it works without the daemon.
#include <ctime>
#include <iostream>
#include <memory>

#include "cli/commands.h"
#include "usage/usage_query.h"
#include "usage/usage_report.h"
#include "usage/usage_store.h"

namespace nettoll::cli {
namespace {

struct UsageOptions {
  std::string db = kDefaultUsageDatabase;
  std::string since;
  std::string period;
  std::string by = "process";
  std::string rule;
  bool json = false;
};

int run_usage(const UsageOptions& options) {
  const int64_t now = static_cast<int64_t>(std::time(nullptr));
  auto planned = plan_usage_query({options.by, options.since, options.period, options.rule}, now);
  if (!planned) {
    std::cerr << "nettoll usage: " << planned.error() << "\n";
    return kExitBadInput;
  }
  auto store = UsageStore::open_read_only(options.db);
  if (!store) {
    std::cerr << "nettoll usage: " << store.error() << "\n";
    return kExitRuntimeFailure;
  }
  auto rows = read_usage(*store, *planned);
  if (!rows) {
    std::cerr << "nettoll usage: " << rows.error() << "\n";
    return kExitRuntimeFailure;
  }
  std::cout << (options.json ? usage_report_json(*rows, planned->range, planned->by).dump(2) + "\n"
                             : format_usage_table(*rows, planned->by));
  return kExitOk;
}

}  // namespace

CommandRunner add_usage_command(CLI::App& app) {
  auto options = std::make_shared<UsageOptions>();
  CLI::App* command = app.add_subcommand(
      "usage", "Show the usage history (bytes per process, rule, day or hour); works without the daemon");
  auto* since = command->add_option("--since", options->since, "this long ago until now: 90min, 24h, 7d, 2w");
  command
      ->add_option("--period", options->period, "the current day, week (from Monday) or month (from the 1st)")
      ->check(CLI::IsMember({"day", "week", "month"}))
      ->excludes(since);
  command->add_option("--by", options->by, "one row per process name, rule, day or hour")
      ->check(CLI::IsMember({"process", "rule", "day", "hour"}))
      ->capture_default_str();
  command->add_option("--rule", options->rule, "only the traffic of this rule");
  command->add_option("--db", options->db, "the usage database")->capture_default_str();
  command->add_flag("--json", options->json, "print JSON (bytes)");
  return [options]() { return run_usage(*options); };
}

}  // namespace nettoll::cli
