// SPDX-License-Identifier: Apache-2.0
#include "daemon/port_filter_path.h"

#include <spdlog/spdlog.h>

#include <algorithm>
#include <chrono>
#include <ctime>

#include "kernel/links.h"
#include "kernel/socket_diag.h"

namespace nettoll {
namespace {

Result<PortFilterSite> site_on(NetlinkSocket& socket, const HtbTree& tree, FilterDirection direction) {
  auto link = find_link(socket, tree.device);
  if (!link) return Error{link.error()};
  return PortFilterSite{link->ifindex, tree.device, tree.qdisc, direction};
}

std::chrono::nanoseconds thread_cpu_time() {
  timespec now{};
  ::clock_gettime(CLOCK_THREAD_CPUTIME_ID, &now);
  return std::chrono::seconds(now.tv_sec) + std::chrono::nanoseconds(now.tv_nsec);
}

bool same_site(const std::optional<PortFilterSite>& a, const std::optional<PortFilterSite>& b) {
  if (!a || !b) return !a && !b;
  return a->ifindex == b->ifindex && a->device == b->device && a->qdisc == b->qdisc;
}

}  // namespace

Result<std::unique_ptr<PortFilterPath>> PortFilterPath::open() {
  auto diag = NetlinkSocket::open(NETLINK_SOCK_DIAG);
  if (!diag) return Error{diag.error()};
  return std::unique_ptr<PortFilterPath>(new PortFilterPath(std::move(*diag)));
}

Result<void> PortFilterPath::attach(const Plan& plan, NetlinkSocket& socket) {
  if (plan.classifier != classifier_) classes_changed_ = true;
  for (const ClassifierEntry& entry : plan.classifier) {
    // u32 can only classify here: dropping needs act_gact, which our
    // kernels may lack, and a tiny ceil is a trickle, not a block.
    if (entry.blocked && std::find(classifier_.begin(), classifier_.end(), entry) == classifier_.end()) {
      spdlog::error(
          "rule '{}': then: block needs the eBPF classifier; the u32 fallback cannot drop its "
          "packets, so it is not blocked",
          entry.rule);
    }
  }
  classifier_ = plan.classifier;
  wanted_stream_filters_ = plan_stream_filters(plan.streams);
  const bool classifies = !plan.classifier.empty() || !plan.streams.empty();
  std::optional<PortFilterSite> egress, ingress;
  if (classifies && plan.egress) {
    auto site = site_on(socket, *plan.egress, FilterDirection::egress);
    if (!site) return Error{site.error()};
    egress = *site;
  }
  if (classifies && plan.ingress) {
    auto site = site_on(socket, *plan.ingress, FilterDirection::ingress);
    if (!site) return Error{site.error()};
    ingress = *site;
  }
  if (!same_site(egress, egress_) || !same_site(ingress, ingress_)) {
    forget_sites(socket);
    for (const auto& site : {egress, ingress}) {
      if (!site) continue;
      if (auto created = create_port_tables(socket, *site); !created) return created;
    }
    egress_ = egress;
    ingress_ = ingress;
  }
  if (auto synced = sync_stream_filters(socket, wanted_stream_filters_); !synced) return synced;
  // Classes may have moved (rules reordered): filters follow at once.
  return sync_filters(socket);
}

Result<void> PortFilterPath::release_streams(const Plan& next, NetlinkSocket& socket) {
  // What stays of the installed filters: same viewer, same class.
  const std::vector<StreamFilter> next_filters = plan_stream_filters(next.streams);
  std::vector<StreamFilter> kept;
  for (const StreamFilter& filter : stream_filters_) {
    if (std::find(next_filters.begin(), next_filters.end(), filter) != next_filters.end())
      kept.push_back(filter);
  }
  return sync_stream_filters(socket, kept);
}

Result<void> PortFilterPath::sync_stream_filters(NetlinkSocket& socket,
                                                 const std::vector<StreamFilter>& wanted) {
  if (wanted == stream_filters_) return success();
  // Until every site holds `wanted`, the kernel holds some part of it.
  stream_filters_.clear();
  for (const auto& site : {egress_, ingress_}) {
    if (!site) continue;
    if (auto replaced = replace_stream_filters(socket, *site, wanted); !replaced) return replaced;
  }
  stream_filters_ = wanted;
  spdlog::debug("stream filters: {} in place", stream_filters_.size());
  return success();
}

void PortFilterPath::forget_sites(NetlinkSocket& socket) {
  // The old interface may be gone, and its qdisc with the filters: best effort.
  for (const auto& site : {egress_, ingress_}) {
    if (!site) continue;
    (void)remove_stream_filters(socket, *site);
    (void)remove_port_tables(socket, *site);
  }
  egress_.reset();
  ingress_.reset();
  installed_.clear();
  stream_filters_.clear();
  processes_changed_ = true;
}

void PortFilterPath::set_process_rule(pid_t pid, ProcessRuleId rule) {
  processes_changed_ = true;
  if (rule == 0) {
    process_rules_.erase(pid);
    return;
  }
  process_rules_[pid] = rule;
  // A process opens most of its connections right after it starts: poll
  // at the fastest rate for a while, whatever the budget says.
  fast_polls_until_ = std::chrono::steady_clock::now() + kFastPollingAfterMatch;
}

const PortFilterSite* PortFilterPath::site_for(FilterDirection direction) const {
  const auto& site = direction == FilterDirection::egress ? egress_ : ingress_;
  return site ? &*site : nullptr;
}

Result<void> PortFilterPath::sync_filters(NetlinkSocket& socket) {
  if (process_rules_.empty() && installed_.empty()) return success();
  std::vector<LocalSocket> sockets;
  if (!process_rules_.empty()) {
    auto dumped = dump_local_sockets(diag_socket_);
    if (!dumped) return Error{dumped.error()};
    sockets = std::move(*dumped);
  }
  std::set<uint64_t> inodes;
  for (const LocalSocket& local : sockets) inodes.insert(local.inode);
  // The same sockets as last time and no process changed: same filters.
  if (inodes == seen_inodes_ && !processes_changed_ && !classes_changed_) return success();
  classes_changed_ = false;
  // Which process holds a socket only needs /proc when a socket appeared
  // (sockets never change hands in practice) or a process's rule changed.
  const bool new_sockets = !std::ranges::includes(seen_inodes_, inodes);
  if (processes_changed_ || new_sockets) {
    socket_rules_.clear();
    for (const auto& [pid, rule] : process_rules_) {
      for (uint64_t inode : socket_inodes_of(pid)) socket_rules_.emplace(inode, rule);
    }
    processes_changed_ = false;
  } else {
    std::erase_if(socket_rules_, [&](const auto& entry) { return !inodes.contains(entry.first); });
  }
  seen_inodes_ = std::move(inodes);
  std::vector<PortFilter> wanted;
  for (const PortFilter& filter : plan_port_filters(sockets, socket_rules_, classifier_)) {
    if (site_for(filter.key.direction)) wanted.push_back(filter);
  }
  // Changing filters is the work polling exists for, not its overhead: it
  // does not count against the poll budget (else a new connection's filters
  // would push the next poll, and the next connection, far out).
  const auto applying = thread_cpu_time();
  auto applied = apply_changes(socket, diff_port_filters(installed_, wanted));
  change_cost_ = thread_cpu_time() - applying;
  return applied;
}

Result<void> PortFilterPath::apply_changes(NetlinkSocket& socket, const PortFilterChanges& changes) {
  // installed_ always says what the kernel has, also when a change fails
  // halfway; removals leave it in one pass (a process holding 10,000
  // sockets exits: 20,000 filters).
  std::set<PortFilterKey> removed;
  Result<void> result = success();
  for (const InstalledPortFilter& gone : changes.remove) {
    result = delete_port_filter(socket, *site_for(gone.filter.key.direction), gone);
    if (!result) break;
    removed.insert(gone.filter.key);
  }
  std::erase_if(installed_,
                [&](const InstalledPortFilter& filter) { return removed.contains(filter.filter.key); });
  if (!result) return result;
  for (const InstalledPortFilter& added : changes.add) {
    if (auto done = add_port_filter(socket, *site_for(added.filter.key.direction), added); !done) return done;
    installed_.push_back(added);
  }
  if (!changes.add.empty() || !changes.remove.empty()) {
    spdlog::debug("port filters: {} added, {} removed, {} in place", changes.add.size(),
                  changes.remove.size(), installed_.size());
  }
  return success();
}

void PortFilterPath::refresh(NetlinkSocket& socket) {
  // CPU time, not wall time: on a loaded machine a poll waits for the CPU,
  // which costs nothing and must not slow the polls down.
  const auto started = thread_cpu_time();
  change_cost_ = std::chrono::nanoseconds::zero();
  auto synced = sync_filters(socket);
  const std::chrono::nanoseconds took = thread_cpu_time() - started - change_cost_;
  // A moving average: one poll that installed many filters must not stretch
  // the next interval to a second.
  poll_cost_ = poll_cost_ == std::chrono::nanoseconds::zero() ? took : (poll_cost_ * 7 + took) / 8;
  interval_ = std::chrono::steady_clock::now() < fast_polls_until_
                  ? kMinPortPollInterval
                  : std::clamp(std::chrono::duration_cast<std::chrono::milliseconds>(poll_cost_ *
                                                                                     kPortPollBudgetFactor),
                               kMinPortPollInterval, kMaxPortPollInterval);
  spdlog::trace("port filter poll: {} us of CPU; next in {} ms", took.count() / 1000, interval_.count());
  if (synced) return;
  // The kernel's filters are not what we think: start them over. When the
  // interface went away with its qdisc this fails too, until the daemon
  // follows the link to its successor and attaches there.
  spdlog::warn("port filters: {}; re-creating them", synced.error());
  installed_.clear();
  processes_changed_ = true;
  for (const auto& site : {egress_, ingress_}) {
    if (!site) continue;
    if (auto created = create_port_tables(socket, *site); !created) spdlog::debug("{}", created.error());
  }
  stream_filters_.clear();
  if (auto streams = sync_stream_filters(socket, wanted_stream_filters_); !streams) {
    spdlog::debug("{}", streams.error());
  }
}

}  // namespace nettoll
