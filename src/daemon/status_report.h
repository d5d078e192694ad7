// SPDX-License-Identifier: Apache-2.0
// What `nettoll status` shows: the daemon's state and the kernel's counters,
// as JSON (the daemon's side) and as text (the CLI's side).
#pragma once

#include <functional>
#include <nlohmann/json.hpp>
#include <string>

#include "core/active_interface.h"
#include "core/plan.h"
#include "kernel/tc_message.h"

namespace nettoll {

// The counters of class `key` ("device handle", see class_key()), or null
// when they are unknown.
using ClassCounterLookup = std::function<const TcStats*(const std::string& key)>;

// One line for systemd's STATUS=: "shaping eth0 (...)" or "watching ...".
std::string status_line(const InterfaceChoice& link, const Plan& applied, const std::string& last_error);

// The managed interface and why, the applied plan's classes with the
// counters `counters` has for them (the accounting's last reading of the
// kernel's), the TBFs, notes and the last error.
nlohmann::json status_report(const ClassCounterLookup& counters, const std::string& config_path,
                             const InterfaceChoice& link, const Plan& applied, const std::string& last_error);

// The report as text for people.
std::string format_status(const nlohmann::json& report);

}  // namespace nettoll
