// SPDX-License-Identifier: Apache-2.0
// Leftovers: what nettoll owns in a namespace without having created it in
// this run (the previous run crashed, was killed with SIGKILL or by the OOM
// killer), found by nettoll's marks whatever the config says now.
#pragma once

#include "core/kernel_state.h"
#include "core/reconcile.h"

namespace nettoll {

// The devices of `observed` (every device of the namespace) that carry
// nettoll's objects: an HTB with nettoll's major at the root or nettoll's
// ingress redirect (shaped interfaces), a `ntb-` IFB (its interface, or the
// IFB's own suffix when that interface is gone, so the IFB is deleted), a
// TBF with nettoll's major at the root (TBF devices). Given to the
// reconciler as the previously managed devices, the next plan adopts what it
// wants and removes the rest.
ManagedDevices find_leftovers(const ObservedKernel& observed);

}  // namespace nettoll
