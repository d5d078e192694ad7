// SPDX-License-Identifier: Apache-2.0
// Shaper: keeps the kernel of one network namespace matching a Plan. Applies
// the reconciler's minimal changes, rolls back on a failure so the kernel is
// never left half-configured, and tears everything down on request.
#pragma once

#include <cstdint>
#include <functional>
#include <string>
#include <vector>

#include "core/plan.h"
#include "core/reconcile.h"
#include "core/result.h"
#include "kernel/netlink_socket.h"

namespace nettoll {

class Shaper {
 public:
  // Called with each change as it is made (for logs).
  using ChangeLog = std::function<void(const std::string&)>;

  // Opens the netlink socket in the calling thread's network namespace.
  static Result<Shaper> open(ChangeLog log = {});

  // Makes the kernel hold `plan`: observes the devices involved, applies the
  // changes, and returns how many there were (0 when the kernel already
  // matched). On a failure, undoes the changes made so far by going back to
  // the previously applied plan (or to nothing), and returns the error; when
  // that undoing fails too, the error says so.
  Result<size_t> apply(const Plan& plan);

  // Removes everything nettoll owns on the devices of the applied plan (and
  // of `also`), restoring the kernel's default root qdiscs.
  Result<void> clear(const ManagedDevices& also = {});

  // Takes `leftovers` (an earlier run's devices) as managed: the next apply
  // adopts what its plan wants of them and removes the rest.
  void adopt(const ManagedDevices& leftovers);

  const Plan& applied() const { return applied_; }
  // Changes whenever applied() does (to know when a copy of it is stale).
  uint64_t applied_version() const { return applied_version_; }

  // True when the last apply was refused because another shaper's qdiscs
  // hold a device (nothing was changed); false after a successful apply.
  bool refused() const { return refused_; }

 private:
  Shaper(NetlinkSocket socket, ChangeLog log) : socket_(std::move(socket)), log_(std::move(log)) {}
  Result<size_t> apply_changes(const std::vector<KernelChange>& changes);
  Result<void> roll_back(const ManagedDevices& touched);

  NetlinkSocket socket_;
  ChangeLog log_;
  Plan applied_;
  uint64_t applied_version_ = 0;
  ManagedDevices managed_;
  bool refused_ = false;
};

// The union of two device sets, without repeats.
ManagedDevices merge_devices(const ManagedDevices& a, const ManagedDevices& b);

}  // namespace nettoll
