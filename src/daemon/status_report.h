// SPDX-License-Identifier: Apache-2.0
// What `nettoll status` shows: the daemon's state and the kernel's counters,
// as JSON (the daemon's side) and as text (the CLI's side).
#pragma once

#include <map>
#include <nlohmann/json.hpp>
#include <string>

#include "core/active_interface.h"
#include "core/plan.h"
#include "kernel/htb_classes.h"
#include "kernel/netlink_socket.h"

namespace nettoll {

// The HTB classes on `device` by id, with their counters; empty when the
// device or its classes cannot be read.
std::map<Handle, ClassInfo> live_classes(NetlinkSocket& socket, const std::string& device);

// One line for systemd's STATUS=: "shaping eth0 (...)" or "watching ...".
std::string status_line(const InterfaceChoice& link, const Plan& applied, const std::string& last_error);

// The managed interface and why, the applied plan's classes with their live
// counters read from the kernel, the TBFs, notes and the last error.
nlohmann::json status_report(NetlinkSocket& socket, const std::string& config_path,
                             const InterfaceChoice& link, const Plan& applied, const std::string& last_error);

// The report as text for people.
std::string format_status(const nlohmann::json& report);

}  // namespace nettoll
