// SPDX-License-Identifier: Apache-2.0
// `nettoll match [-c FILE] [--json]`: a dry run of the config's process
// rules against the processes running now. Reads /proc only; changes nothing.
#include <algorithm>
#include <iostream>
#include <memory>

#include "cli/commands.h"
#include "clients/container_engines.h"
#include "core/config_loader.h"
#include "core/match_report.h"
#include "kernel/process_info.h"

namespace nettoll::cli {
namespace {

struct MatchOptions {
  std::string config_path = kDefaultConfigPath;
  bool json = false;
};

// Adds the engines' names of the scanned processes' containers; an engine
// that fails is named on stderr, and its containers are matched by id.
void name_containers(const std::vector<std::string>& engines, std::vector<ScannedProcess>& processes) {
  const bool in_containers = std::ranges::any_of(processes, [](const ScannedProcess& process) {
    return process.attributes.values.contains("container");
  });
  if (!in_containers) return;
  const EngineAnswers answers = read_container_names(engines);
  for (const std::string& failure : answers.failures) std::cerr << "warning: " << failure << "\n";
  const ContainerNamer namer = [&](const std::string& id) -> std::optional<std::string> {
    const auto found = answers.names.find(id);
    if (found == answers.names.end()) return std::nullopt;
    return found->second;
  };
  for (ScannedProcess& process : processes) add_container_name(process.attributes, namer);
}

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
  name_containers(loaded.config->container_engines, *scanned);
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
