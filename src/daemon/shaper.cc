// SPDX-License-Identifier: Apache-2.0
#include "daemon/shaper.h"

#include <algorithm>

#include "kernel/change_applier.h"
#include "kernel/kernel_observer.h"

namespace nettoll {
namespace {

void add_missing(std::vector<std::string>& to, const std::vector<std::string>& from) {
  for (const std::string& name : from) {
    if (std::find(to.begin(), to.end(), name) == to.end()) to.push_back(name);
  }
}

}  // namespace

ManagedDevices merge_devices(const ManagedDevices& a, const ManagedDevices& b) {
  ManagedDevices merged = a;
  add_missing(merged.shaped_interfaces, b.shaped_interfaces);
  add_missing(merged.tbf_devices, b.tbf_devices);
  add_missing(merged.tbf_ingress_devices, b.tbf_ingress_devices);
  return merged;
}

Result<Shaper> Shaper::open(ChangeLog log) {
  auto socket = NetlinkSocket::open();
  if (!socket) return Error{socket.error()};
  return Shaper(std::move(*socket), std::move(log));
}

Result<size_t> Shaper::apply_changes(const std::vector<KernelChange>& changes) {
  ChangeApplier applier(socket_);
  for (const KernelChange& change : changes) {
    if (log_) log_(describe(change));
    if (auto done = applier.apply(change); !done) return Error{done.error()};
  }
  return changes.size();
}

Result<size_t> Shaper::apply(const Plan& plan) {
  const ManagedDevices wanted = managed_devices_of(plan);
  const ManagedDevices touched = merge_devices(wanted, managed_);
  auto observed = observe_devices(socket_, devices_to_observe(wanted, managed_));
  if (!observed) return Error{observed.error()};
  auto changes = reconcile(plan, *observed, managed_);
  refused_ = !changes;
  if (!changes) return Error{changes.error()};
  auto applied = apply_changes(*changes);
  if (!applied) {
    if (auto undone = roll_back(touched); !undone) {
      return Error{applied.error() + "; rolling back failed too, the kernel is left part-way (" +
                   undone.error() + ")"};
    }
    return Error{applied.error()};
  }
  applied_ = plan;
  ++applied_version_;
  managed_ = wanted;
  return applied;
}

// The first error is what the caller reports; a rollback that fails too is
// added to it, and the next apply or clear reconciles from scratch.
Result<void> Shaper::roll_back(const ManagedDevices& touched) {
  if (log_) log_("rolling back to the previous state");
  auto observed = observe_devices(socket_, devices_to_observe(touched, {}));
  if (!observed) return Error{observed.error()};
  std::vector<KernelChange> changes;
  const bool had_plan = applied_.egress || applied_.ingress || !applied_.tbfs.empty();
  if (!had_plan) {
    changes = teardown(*observed, touched);
  } else if (auto back = reconcile(applied_, *observed, touched)) {
    changes = *back;
  } else {
    return Error{back.error()};
  }
  if (auto undone = apply_changes(changes); !undone) return Error{undone.error()};
  return success();
}

void Shaper::adopt(const ManagedDevices& leftovers) { managed_ = merge_devices(managed_, leftovers); }

Result<void> Shaper::clear(const ManagedDevices& also) {
  const ManagedDevices all = merge_devices(managed_, also);
  auto observed = observe_devices(socket_, devices_to_observe(all, {}));
  if (!observed) return Error{observed.error()};
  auto cleared = apply_changes(teardown(*observed, all));
  if (!cleared) return Error{cleared.error()};
  applied_ = Plan{};
  ++applied_version_;
  managed_ = ManagedDevices{};
  return success();
}

}  // namespace nettoll
