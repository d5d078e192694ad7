// SPDX-License-Identifier: Apache-2.0
// Reading what rules match on from /proc: one process's attributes under
// TrafficToll's names (psutil's, lists joined as shlex.join does) and nettoll's
// native ones, and the list of running processes for the initial scan.
#pragma once

#include <sys/types.h>

#include <cstdint>
#include <set>
#include <string>
#include <vector>

#include "core/process_match.h"
#include "core/process_table.h"
#include "core/result.h"

namespace nettoll {

// The attributes of process `pid`:
//   name      comm, extended from cmdline when the kernel truncated it (psutil)
//   exe       the executable's path (" (deleted)" dropped when the file is gone)
//   cmdline   the arguments joined as shlex.join does ("a 'b c' ''")
//   username, user   the real uid's user name (the uid in decimal if unknown)
//   pid, ppid, cwd, status ("running", "sleeping"...)
//   terminal  the controlling terminal's /dev path, when it has one
//   uids, gids  "real effective saved"
//   cgroup    the cgroup v2 path ("/system.slice/ssh.service")
//   unit      the deepest *.service or *.scope component of the cgroup path
// Attributes the process hides or lacks (a kernel thread's exe, another
// user's cwd without root) are left out. Fails when the process is gone.
Result<ProcessAttributes> read_process(pid_t pid);

// The same, reading only what `attributes` need (and always pid, ppid,
// status, terminal): the daemon reads every process that execs, and most
// rules look at one or two attributes. `name` alone costs one file (two when
// the kernel truncated the name); each other group of files is read only
// when one of its attributes is asked for.
Result<ProcessAttributes> read_process(pid_t pid, const std::set<std::string>& attributes);

// One socket a process holds: its descriptor number there and the socket's
// inode (what sock_diag reports).
struct ProcessSocketFd {
  int fd = 0;
  uint64_t inode = 0;
};

// The sockets process `pid` holds, from its /proc/PID/fd links
// "socket:[INODE]". Fails when the directory cannot be read (the process
// is gone, or belongs to someone we may not look at).
Result<std::vector<ProcessSocketFd>> socket_fds_of(pid_t pid);

// The children of process `pid` (of its main thread), from
// /proc/PID/task/PID/children; empty when it has none or is gone.
std::vector<pid_t> children_of(pid_t pid);

// The tgids of the processes running now, in ascending order (threads are
// not listed). Fails when /proc cannot be read.
Result<std::vector<pid_t>> list_processes();

// The parent's pid in attributes read_process returned (0 when it had none).
pid_t ppid_of(const ProcessAttributes& attributes);

// Every running process with the attributes `wanted` asks for (as
// read_process); processes that exit while being read are left out. Fails
// when /proc cannot be listed: an empty list would read as "every process
// exited" and take every rule away.
Result<std::vector<ScannedProcess>> scan_processes(const std::set<std::string>& wanted);

// The systemd unit of a cgroup v2 path (see `unit` above), or "" when the
// path has none. Exposed for tests.
std::string unit_of_cgroup(const std::string& cgroup_path);

}  // namespace nettoll
