// SPDX-License-Identifier: Apache-2.0
// ProcConnector: the kernel's process events (fork, exec, exit, comm and uid
// changes) from the proc connector (NETLINK_CONNECTOR, CN_IDX_PROC), so the
// pid map follows processes without polling /proc.
//
// The proc connector only exists in the initial network namespace: open it
// before entering --netns (the socket keeps its namespace after setns).
#pragma once

#include <sys/types.h>

#include <cstddef>
#include <cstdint>
#include <string>
#include <vector>

#include "core/result.h"

namespace nettoll {

// One process-level event. Thread events (a thread created or exiting, a
// thread renamed) are dropped: the pid map is keyed by tgid. The kernel
// reports a process's exit when its main thread exits, even if other
// threads still run (rare: a main thread calling pthread_exit).
struct ProcEvent {
  enum Kind { fork, exec, exit, comm, uid };
  Kind kind = exec;
  pid_t pid = 0;               // tgid of the process (fork: the child)
  pid_t parent_tgid = 0;       // fork and exit: the parent's tgid; 0 otherwise
  uint32_t real_uid = 0;       // uid: the new real uid
  uint32_t effective_uid = 0;  // uid: the new effective uid
  std::string name;            // comm: the new comm (15 characters at most)
  uint64_t timestamp_ns = 0;   // when the kernel sent it (CLOCK_MONOTONIC)
};

// What one drain of the socket returned.
struct ProcEventBatch {
  std::vector<ProcEvent> events;
  // The kernel dropped events (the receive buffer filled up): the caller
  // must rescan /proc, as any process may have been missed.
  bool overflowed = false;
};

// Appends the process events of one proc connector datagram (one or more
// netlink messages, each a cn_msg carrying a proc_event) to `events`;
// malformed or foreign messages are skipped.
void parse_proc_datagram(const char* data, size_t length, std::vector<ProcEvent>& events);

// Whether exit events reach the socket at all. Dropping them in the kernel
// saves a wakeup per process for a caller that watches the few processes
// whose exit it needs (with pidfds).
enum class ExitEvents { delivered, dropped };

class ProcConnector {
 public:
  // Opens a socket subscribed to process events. A socket filter drops
  // thread events (and with ExitEvents::dropped, exits) in the kernel. Fails
  // with a message naming the cause and the fix: not root (CAP_NET_ADMIN),
  // not in the initial network namespace, a kernel without CONFIG_PROC_EVENTS.
  static Result<ProcConnector> open(ExitEvents exits = ExitEvents::delivered);

  ~ProcConnector();
  ProcConnector(ProcConnector&& other) noexcept;
  ProcConnector& operator=(ProcConnector&& other) noexcept;
  ProcConnector(const ProcConnector&) = delete;
  ProcConnector& operator=(const ProcConnector&) = delete;

  // The non-blocking socket, to poll for readability in an event loop.
  int fd() const { return fd_; }

  // Puts back the filter open() attached (after a caller replaced it).
  void restore_event_filter();

  // Reads the events queued on the socket without blocking (an empty batch
  // when there are none), at most a few thousand per call: when the socket
  // is still readable afterwards, call again. Fails only when the socket
  // itself fails.
  Result<ProcEventBatch> read_events();

 private:
  ProcConnector(int fd, ExitEvents exits) : fd_(fd), exits_(exits) {}

  int fd_ = -1;
  ExitEvents exits_ = ExitEvents::delivered;
  bool listening_ = false;  // LISTEN was sent: send IGNORE when closing
};

}  // namespace nettoll
