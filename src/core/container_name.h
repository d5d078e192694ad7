// SPDX-License-Identifier: Apache-2.0
// Which container a process belongs to, from its cgroup v2 path, as the
// engines name their cgroups: Docker's and Podman's systemd scopes
// (docker-<id>.scope, libpod-<id>.scope), their cgroupfs layout
// (/docker/<id>, /libpod_parent/libpod-<id>), and systemd-nspawn's or
// machinectl's machine-<name>.scope. The `container:` match attribute.
#pragma once

#include <string>

namespace nettoll {

// The container id (64 hex digits) or machine name of the deepest
// container cgroup in `cgroup_path`; "" when the process is in none.
std::string container_of_cgroup(const std::string& cgroup_path);

// True when `text` is an engine's container id: 64 hex digits.
bool is_container_id(const std::string& text);

}  // namespace nettoll
