// SPDX-License-Identifier: Apache-2.0
// KernelRecovery: the part of "leave the kernel as it was found" that must
// survive a crash. Before nettoll first changes a device it records the
// device's originals (root qdisc kind, clsact, GSO/GRO sizes) in the runtime
// directory; at start and at stop it finds what nettoll owns on every device
// of the namespace, whatever the config says, so the Shaper adopts or
// removes it; and it puts back what it recorded once a device is no longer
// shaped.
#pragma once

#include <string>

#include "core/reconcile.h"
#include "core/recovery_record.h"
#include "core/result.h"
#include "daemon/interface_plan.h"
#include "daemon/shaper.h"
#include "kernel/netlink_socket.h"

namespace nettoll {

inline constexpr const char* kDefaultRuntimeDirectory = "/run/nettoll";

class KernelRecovery {
 public:
  // Reads `runtime_dir`/kernel-originals.json when a previous run left one.
  // Fails when the directory cannot be created or the record is unreadable.
  static Result<KernelRecovery> open(const std::string& runtime_dir);

  // Removes a dead run's BPF classifier filters from every device (their
  // programs died with it) and returns the devices that carry nettoll's
  // qdiscs, redirects or IFBs, for Shaper::adopt. Fails on a kernel error.
  Result<ManagedDevices> sweep(NetlinkSocket& socket);

  // The GSO sizes recorded for devices that are still the same device: a
  // restarted daemon must plan from these, not from its own lowered ones.
  void recorded_gso_sizes(NetlinkSocket& socket, NaturalGsoSizes& sizes) const;

  // Records the originals of the devices `plan` changes that have no record
  // yet. Fails when the record cannot be written: then nothing may change.
  Result<void> remember(NetlinkSocket& socket, const Plan& plan);

  // For recorded devices not in `still_managed`: puts the recorded GSO/GRO
  // sizes back, removes a clsact nettoll added once it holds no filter, and
  // drops their records (the file goes when none is left).
  Result<void> restore(NetlinkSocket& socket, const ManagedDevices& still_managed);

  // At start: sweep, hand what was found to `shaper` (its next apply adopts
  // or removes it, whatever the plan) and plan from the recorded GSO sizes.
  Result<void> adopt_into(Shaper& shaper, NetlinkSocket& socket, NaturalGsoSizes& natural_gso);

  // At stop: removes everything nettoll owns in the namespace (the shaper's
  // plan and any leftover) and restores every recorded device.
  Result<void> remove_all(Shaper& shaper, NetlinkSocket& socket);

 private:
  KernelRecovery(std::string path, RecoveryRecord record)
      : path_(std::move(path)), record_(std::move(record)) {}
  Result<void> save() const;
  Result<void> restore_device(NetlinkSocket& socket, const std::string& name, const OriginalDevice& original);

  std::string path_;
  RecoveryRecord record_;
};

}  // namespace nettoll
