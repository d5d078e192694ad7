// SPDX-License-Identifier: Apache-2.0
// `nettoll match [-c FILE] [--json]`: a dry run of the config's process
// rules against the processes running now. Reads /proc only; changes nothing.
#include <iostream>
#include <memory>

#include "cli/commands.h"
#include "core/config_loader.h"
#include "core/match_report.h"
#include "kernel/process_info.h"

namespace nettoll::cli {
namespace {

struct MatchOptions {
  std::string config_path = kDefaultConfigPath;
  bool json = false;
};

int run_match(const MatchOptions& options) {
  const LoadedConfig loaded = load_config_file(options.config_path);
  for (const Diagnostic& diagnostic : loaded.diagnostics) std::cerr << format_diagnostic(diagnostic) << "\n";
  if (!loaded.ok()) return kExitBadInput;
  const std::vector<ProcessRule>& rules = loaded.config->processes;
  auto scanned = scan_processes(match_report_attributes(rules));
  if (!scanned) {
    std::cerr << scanned.error() << "\n";
    return kExitRuntimeFailure;
  }
  const MatchReport report = make_match_report(rules, *scanned);
  std::cout << (options.json ? match_report_to_json(report).dump(2) + "\n" : format_match_report(report));
  return kExitOk;
}

}  // namespace

CommandRunner add_match_command(CLI::App& app) {
  auto options = std::make_shared<MatchOptions>();
  CLI::App* command = app.add_subcommand(
      "match", "Dry run: which running processes each rule selects, and why, changing nothing");
  command->add_option("-c,--config", options->config_path, "config file")->capture_default_str();
  command->add_flag("--json", options->json, "print JSON");
  return [options]() { return run_match(*options); };
}

}  // namespace nettoll::cli
