// SPDX-License-Identifier: Apache-2.0
#include "daemon/kernel_recovery.h"

#include <fmt/format.h>
#include <fmt/ranges.h>
#include <spdlog/spdlog.h>
#include <sys/stat.h>

#include <algorithm>
#include <filesystem>
#include <fstream>
#include <sstream>

#include "core/leftovers.h"
#include "kernel/bpf_classifier.h"
#include "kernel/ingress_redirect.h"
#include "kernel/kernel_observer.h"
#include "kernel/link_gso.h"
#include "kernel/links.h"
#include "kernel/qdiscs.h"

namespace nettoll {
namespace {

bool contains(const std::vector<std::string>& names, const std::string& name) {
  return std::find(names.begin(), names.end(), name) != names.end();
}

bool is_nettoll_root(const QdiscInfo& qdisc) {
  return qdisc.root && ((qdisc.kind == "htb" && qdisc.handle.major == kHtbMajor) ||
                        (qdisc.kind == "tbf" && qdisc.handle.major == kTbfMajor));
}

// What `link` is now, as its original. A device that already carries
// nettoll's root (a leftover whose record was lost) gets the kernel's
// defaults instead of nettoll's own lowered sizes.
Result<OriginalDevice> read_original(NetlinkSocket& socket, const LinkInfo& link) {
  auto gso = read_gso_limits(socket, link.ifindex, link.name);
  if (!gso) return Error{gso.error()};
  auto qdiscs = list_qdiscs(socket, link.ifindex);
  if (!qdiscs) return Error{qdiscs.error()};
  OriginalDevice original{link.ifindex, "", false, gso->gso_max_size, gso->gro_max_size};
  bool leftover = false;
  for (const QdiscInfo& qdisc : *qdiscs) {
    if (qdisc.kind == "clsact") original.had_clsact = true;
    if (qdisc.root && is_nettoll_root(qdisc)) leftover = true;
    if (qdisc.root && !is_nettoll_root(qdisc)) original.root_qdisc = qdisc.kind;
  }
  if (leftover) {
    original.had_clsact = false;
    original.gso_max_size = std::max(original.gso_max_size, kDefaultGsoMaxSize);
    if (original.gro_max_size) original.gro_max_size = std::max(original.gro_max_size, kDefaultGsoMaxSize);
  }
  return original;
}

// Removes a dead run's classifier filters from `link`, and the clsact they
// needed when nothing else is on it and it was not there before nettoll.
Result<void> remove_stale_classifier(NetlinkSocket& socket, const LinkInfo& link, bool had_clsact) {
  auto filters = list_clsact_filters(socket, link.ifindex, link.name);
  if (!filters) return Error{filters.error()};
  if (!filters->has_classifier_ingress && !filters->has_classifier_egress) return success();
  spdlog::info("removing the BPF classifier an earlier run left on {}", link.name);
  for (bool ingress : {true, false}) {
    if (!(ingress ? filters->has_classifier_ingress : filters->has_classifier_egress)) continue;
    if (auto removed =
            delete_clsact_filters_at(socket, link.ifindex, link.name, kClassifierFilterPref, ingress);
        !removed) {
      return removed;
    }
  }
  if (filters->has_redirect || filters->others > 0 || had_clsact) return success();
  return delete_clsact_qdisc(socket, link.ifindex);
}

std::string describe(const ManagedDevices& devices) {
  std::vector<std::string> names = devices.shaped_interfaces;
  names.insert(names.end(), devices.tbf_devices.begin(), devices.tbf_devices.end());
  return fmt::format("{}", fmt::join(names, ", "));
}

}  // namespace

Result<KernelRecovery> KernelRecovery::open(const std::string& runtime_dir) {
  std::error_code error;
  // Root only: it also holds the API's unix socket.
  if (std::filesystem::create_directories(runtime_dir, error)) chmod(runtime_dir.c_str(), 0700);
  if (error) return Error{"cannot create the runtime directory " + runtime_dir + ": " + error.message()};
  const std::string path = runtime_dir + "/kernel-originals.json";
  std::ifstream file(path);
  if (!file) return KernelRecovery(path, RecoveryRecord{});
  std::ostringstream text;
  text << file.rdbuf();
  auto record = parse_recovery_record(text.str(), path);
  if (!record) return Error{record.error() + "; remove it to start without it"};
  return KernelRecovery(path, std::move(*record));
}

Result<void> KernelRecovery::save() const {
  std::error_code error;
  if (record_.devices.empty()) {
    std::filesystem::remove(path_, error);
    if (error) return Error{"cannot remove " + path_ + ": " + error.message()};
    return success();
  }
  const std::string temporary = path_ + ".new";
  {
    std::ofstream file(temporary, std::ios::trunc);
    file << format_recovery_record(record_);
    file.flush();
    if (!file) return Error{"cannot write " + temporary};
  }
  std::filesystem::rename(temporary, path_, error);
  if (error) return Error{"cannot write " + path_ + ": " + error.message()};
  return success();
}

Result<ManagedDevices> KernelRecovery::sweep(NetlinkSocket& socket) {
  auto links = list_links(socket);
  if (!links) return Error{links.error()};
  std::vector<std::string> names;
  for (const LinkInfo& link : *links) {
    names.push_back(link.name);
    const auto recorded = record_.devices.find(link.name);
    const bool had_clsact = recorded != record_.devices.end() && recorded->second.ifindex == link.ifindex &&
                            recorded->second.had_clsact;
    if (auto removed = remove_stale_classifier(socket, link, had_clsact); !removed)
      return Error{removed.error()};
  }
  auto observed = observe_devices(socket, names);
  if (!observed) return Error{observed.error()};
  return find_leftovers(*observed);
}

void KernelRecovery::recorded_gso_sizes(NetlinkSocket& socket, NaturalGsoSizes& sizes) const {
  for (const auto& [name, original] : record_.devices) {
    auto link = find_link(socket, name);
    if (link && link->ifindex == original.ifindex) sizes[name] = original.gso_max_size;
  }
}

Result<void> KernelRecovery::remember(NetlinkSocket& socket, const Plan& plan) {
  const ManagedDevices devices = managed_devices_of(plan);
  std::vector<std::string> names = devices.shaped_interfaces;
  names.insert(names.end(), devices.tbf_devices.begin(), devices.tbf_devices.end());
  bool changed = false;
  for (const std::string& name : names) {
    auto link = find_link(socket, name);
    if (!link) continue;  // not there yet: nothing will change on it
    const auto recorded = record_.devices.find(name);
    if (recorded != record_.devices.end() && recorded->second.ifindex == link->ifindex) continue;
    auto original = read_original(socket, *link);
    if (!original) return Error{original.error()};
    record_.devices[name] = *original;
    changed = true;
  }
  return changed ? save() : success();
}

Result<void> KernelRecovery::restore_device(NetlinkSocket& socket, const std::string& name,
                                            const OriginalDevice& original) {
  auto link = find_link(socket, name);
  if (!link || link->ifindex != original.ifindex) return success();  // gone, or another device now
  auto gso = read_gso_limits(socket, link->ifindex, name);
  if (!gso) return Error{gso.error()};
  if (gso->gso_max_size != original.gso_max_size ||
      (original.gro_max_size && gso->gro_max_size != original.gro_max_size)) {
    if (auto restored =
            restore_gso_limits(socket, link->ifindex, name, {original.gso_max_size, original.gro_max_size});
        !restored) {
      return restored;
    }
  }
  auto qdiscs = list_qdiscs(socket, link->ifindex);
  if (!qdiscs) return Error{qdiscs.error()};
  for (const QdiscInfo& qdisc : *qdiscs) {
    if (qdisc.root && !original.root_qdisc.empty() && qdisc.kind != original.root_qdisc) {
      spdlog::warn("{} has root qdisc {} now, not {} as before nettoll", name, qdisc.kind,
                   original.root_qdisc);
    }
    if (qdisc.kind == "clsact" && !original.had_clsact) {
      auto filters = list_clsact_filters(socket, link->ifindex, name);
      if (!filters) return Error{filters.error()};
      const bool empty = !filters->has_redirect && !filters->has_classifier_ingress &&
                         !filters->has_classifier_egress && filters->others == 0;
      if (empty) {
        if (auto deleted = delete_clsact_qdisc(socket, link->ifindex); !deleted) return deleted;
      }
    }
  }
  return success();
}

Result<void> KernelRecovery::restore(NetlinkSocket& socket, const ManagedDevices& still_managed) {
  Result<void> outcome = success();
  for (auto it = record_.devices.begin(); it != record_.devices.end();) {
    if (contains(still_managed.shaped_interfaces, it->first) ||
        contains(still_managed.tbf_devices, it->first)) {
      ++it;
      continue;
    }
    if (auto restored = restore_device(socket, it->first, it->second); !restored) {
      if (outcome) outcome = restored;  // keep its record: the next run tries again
      ++it;
      continue;
    }
    it = record_.devices.erase(it);
  }
  if (auto saved = save(); !saved && outcome) outcome = saved;
  return outcome;
}

Result<void> KernelRecovery::adopt_into(Shaper& shaper, NetlinkSocket& socket, NaturalGsoSizes& natural_gso) {
  auto found = sweep(socket);
  if (!found) return Error{found.error()};
  if (!found->shaped_interfaces.empty() || !found->tbf_devices.empty()) {
    spdlog::info(
        "nettoll's objects from an earlier run on {}: adopted where the config wants them, else removed",
        describe(*found));
  }
  shaper.adopt(*found);
  recorded_gso_sizes(socket, natural_gso);
  return success();
}

Result<void> KernelRecovery::remove_all(Shaper& shaper, NetlinkSocket& socket) {
  auto found = sweep(socket);
  if (!found) return Error{found.error()};
  if (auto cleared = shaper.clear(*found); !cleared) return cleared;
  return restore(socket, ManagedDevices{});
}

}  // namespace nettoll
