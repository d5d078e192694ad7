// SPDX-License-Identifier: Apache-2.0
#include "apply_phases.h"

#include <chrono>

#include "core/reconcile.h"
#include "kernel/change_applier.h"
#include "kernel/kernel_observer.h"
#include "kernel/links.h"
#include "kernel/tc_message.h"

namespace nettoll::bench {
namespace {

using Clock = std::chrono::steady_clock;

double ms_since(Clock::time_point start) {
  return std::chrono::duration<double, std::milli>(Clock::now() - start).count();
}

std::string kind_of(const KernelChange& change) {
  static const char* const kNames[] = {
      "CreateIfb",      "DeleteIfb",   "ReplaceRootHtb", "DeleteRootQdisc",    "AddClass",
      "ChangeClass",    "DeleteClass", "ReplaceLeaf",    "AddIngressRedirect", "RemoveIngressRedirect",
      "ReplaceRootTbf", "SetGsoLimit"};
  static_assert(std::size(kNames) == std::variant_size_v<KernelChange>);
  return kNames[change.index()];
}

}  // namespace

Result<ApplyPhases> apply_in_phases(NetlinkSocket& socket, const Plan& plan) {
  ApplyPhases phases;
  const ManagedDevices wanted = managed_devices_of(plan);
  auto start = Clock::now();
  auto observed = observe_devices(socket, devices_to_observe(wanted, {}));
  phases.observe_ms = ms_since(start);
  if (!observed) return Error{observed.error()};
  start = Clock::now();
  auto changes = reconcile(plan, *observed, wanted);
  phases.reconcile_ms = ms_since(start);
  if (!changes) return Error{changes.error()};
  ChangeApplier applier(socket);
  for (const KernelChange& change : *changes) {
    start = Clock::now();
    auto done = applier.apply(change);
    const double ms = ms_since(start);
    ChangeKindTime& kind = phases.changes[kind_of(change)];
    kind.total_ms += ms;
    if (std::holds_alternative<AddClass>(change)) phases.add_class_us.push_back(ms * 1000);
    ++kind.count;
    if (!done) return Error{done.error()};
  }
  return phases;
}

Result<double> class_probe_us(NetlinkSocket& socket, const std::string& device, Handle id, int repeats) {
  auto link = find_link(socket, device);
  if (!link) return Error{link.error()};
  NetlinkSocket::MessageCallback ignore = [](const nlmsghdr*) -> Result<void> { return success(); };
  const auto start = Clock::now();
  for (int i = 0; i < repeats; ++i) {
    NetlinkMessage message(RTM_GETTCLASS, 0);
    put_tc_header(message, link->ifindex, id, Handle{});
    if (auto status = socket.transact(message.header(), &ignore); !status.ok()) {
      return Error{describe_failure("get class " + format_handle(id) + " on " + device, status)};
    }
  }
  return ms_since(start) * 1000 / repeats;
}

}  // namespace nettoll::bench
