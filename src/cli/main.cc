// SPDX-License-Identifier: Apache-2.0
// nettoll's entry point: only dispatches to the subcommands.
#include <CLI/CLI.hpp>
#include <map>

#include "cli/commands.h"
#include "daemon/logging.h"

int main(int argc, char** argv) {
  nettoll::set_up_logging();
  CLI::App app{"nettoll: a bandwidth manager for thin and metered links"};
  app.require_subcommand(1);
  app.set_version_flag("--version", "nettoll 0.1.0");

  std::map<CLI::App*, nettoll::cli::CommandRunner> runners;
  auto add = [&](nettoll::cli::CommandRunner (*factory)(CLI::App&)) {
    const size_t before = app.get_subcommands({}).size();
    nettoll::cli::CommandRunner runner = factory(app);
    runners[app.get_subcommands({}).at(before)] = std::move(runner);
  };
  add(nettoll::cli::add_check_command);
  add(nettoll::cli::add_plan_command);
  add(nettoll::cli::add_explain_command);
  add(nettoll::cli::add_export_command);
  add(nettoll::cli::add_set_command);
  add(nettoll::cli::add_apply_command);
  add(nettoll::cli::add_daemon_command);
  add(nettoll::cli::add_status_command);
  add(nettoll::cli::add_top_command);
  add(nettoll::cli::add_match_command);
  add(nettoll::cli::add_reserve_command);
  add(nettoll::cli::add_release_command);
  add(nettoll::cli::add_tautulli_command);
  add(nettoll::cli::add_usage_command);
  add(nettoll::cli::add_dashboard_command);

  try {
    app.parse(argc, argv);
  } catch (const CLI::ParseError& error) {
    // CLI11 exits 0 for --help and 105/106... for errors; our contract is 1 for bad arguments.
    const int code = app.exit(error);
    return code == 0 ? 0 : nettoll::cli::kExitBadInput;
  }
  for (auto& [command, runner] : runners) {
    if (command->parsed()) return runner();
  }
  return nettoll::cli::kExitBadInput;
}
