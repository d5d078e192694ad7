// SPDX-License-Identifier: Apache-2.0
// The reconciler's pure half: compare a Plan with what the kernel holds and
// list the smallest set of changes that makes the kernel match the plan.
#pragma once

#include <string>
#include <vector>

#include "core/kernel_change.h"
#include "core/kernel_state.h"
#include "core/plan.h"
#include "core/result.h"

namespace nettoll {

// The devices a plan shapes: interfaces with HTB trees (and their IFBs),
// devices with a root TBF, and devices whose ingress goes to a TBF on an IFB
// of their own (tbf_ifb_name_for).
struct ManagedDevices {
  std::vector<std::string> shaped_interfaces;
  std::vector<std::string> tbf_devices;
  std::vector<std::string> tbf_ingress_devices;
};

ManagedDevices managed_devices_of(const Plan& plan);

// Every device name the reconciler needs observed for `desired` and
// `previous`: interfaces, their IFBs and TBF devices, without repeats.
std::vector<std::string> devices_to_observe(const ManagedDevices& desired, const ManagedDevices& previous);

// Changes that turn `observed` into `desired`. Objects nettoll owns on the
// `previous` devices that the plan no longer wants are removed. Applying a
// plan the kernel already holds yields no change; a rate change yields
// ChangeClass only. Fails, changing nothing, when a device's root qdisc
// belongs to someone else, or the managed interface holds another shaper's
// qdiscs (foreign_shaper_problem's message).
Result<std::vector<KernelChange>> reconcile(const Plan& desired, const ObservedKernel& observed,
                                            const ManagedDevices& previous);

// The changes that remove everything nettoll owns on `managed` devices and
// restore the kernel's default root qdiscs (clean stop, or a leftover run).
std::vector<KernelChange> teardown(const ObservedKernel& observed, const ManagedDevices& managed);

}  // namespace nettoll
