// SPDX-License-Identifier: Apache-2.0
// Where the logs go: the journal when systemd runs nettoll (its priority
// levels, and structured fields NETTOLL_INTERFACE and NETTOLL_RULE for
// `journalctl NETTOLL_INTERFACE=wg0`), stderr otherwise. SPDLOG_LEVEL=debug
// shows every kernel change.
#pragma once

#include <string>

namespace nettoll {

void set_up_logging();

struct LoadedConfig;

// Logs a loaded config's problems: errors as errors, warnings as warnings,
// each as `nettoll check` prints it.
void log_diagnostics(const LoadedConfig& loaded);

// The managed interface, added to every journal entry from now on.
void set_log_interface(const std::string& interface);

// Logs `message` at info level with NETTOLL_RULE=`rule` in the journal.
void log_for_rule(const std::string& rule, const std::string& message);

}  // namespace nettoll
