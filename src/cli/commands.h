// SPDX-License-Identifier: Apache-2.0
// The subcommands of `nettoll`. Each registers its options on the CLI11 app
// and returns the process exit code (0 ok, 1 bad input, 2 runtime failure).
#pragma once

#include <CLI/CLI.hpp>
#include <functional>

#include "core/exit_codes.h"

namespace nettoll::cli {

using nettoll::kExitBadInput;
using nettoll::kExitOk;
using nettoll::kExitRuntimeFailure;

inline constexpr const char* kDefaultConfigPath = "/etc/nettoll/nettoll.yaml";

// A registered subcommand: the CLI11 app parses into its options, then main
// calls `run` for the one that was chosen.
using CommandRunner = std::function<int()>;

CommandRunner add_check_command(CLI::App& app);
CommandRunner add_plan_command(CLI::App& app);
CommandRunner add_explain_command(CLI::App& app);
CommandRunner add_export_command(CLI::App& app);
CommandRunner add_set_command(CLI::App& app);
CommandRunner add_apply_command(CLI::App& app);
CommandRunner add_daemon_command(CLI::App& app);
CommandRunner add_status_command(CLI::App& app);
CommandRunner add_top_command(CLI::App& app);
CommandRunner add_match_command(CLI::App& app);
CommandRunner add_reserve_command(CLI::App& app);
CommandRunner add_release_command(CLI::App& app);
CommandRunner add_tautulli_command(CLI::App& app);
CommandRunner add_usage_command(CLI::App& app);
CommandRunner add_dashboard_command(CLI::App& app);

}  // namespace nettoll::cli
