// SPDX-License-Identifier: Apache-2.0
// PortFilterPath: the fallback for kernels that refuse the eBPF classifier.
// Every poll it lists the namespace's sockets (sock_diag), finds those of
// processes with a rule (/proc/PID/fd, read again only when new sockets
// appeared or rules moved), and keeps one u32 filter per local port on the
// interface's and the IFB's HTB. The cost of polling: a connection's first
// packets, before the next poll sees its socket, go to the default class.
// So polls come as often as a CPU budget allows: the interval is 100 times
// what polls take on average (1% of a core; changing filters, the useful
// part, does not count), between 25 ms and 1 s, and every 25 ms for the
// first 2 s after a process gets a rule, when it opens most of its
// connections (TrafficToll polls once a second). A dump walks the kernel's
// socket tables, every namespace's: about 2.5 ms of CPU here even with a
// handful of sockets in the managed namespace. Reserved streams need no
// polling: each viewer's address gets a u32 filter before the port filters.
#pragma once

#include <chrono>
#include <map>
#include <memory>
#include <optional>
#include <set>
#include <string>
#include <vector>

#include "core/port_filters.h"
#include "daemon/classifier_path.h"
#include "kernel/port_filter_tables.h"
#include "kernel/stream_filter_tables.h"

namespace nettoll {

inline constexpr std::chrono::milliseconds kMinPortPollInterval{25};
inline constexpr std::chrono::milliseconds kMaxPortPollInterval{1000};
inline constexpr int kPortPollBudgetFactor = 100;  // interval / poll time
// How long polls stay at kMinPortPollInterval after a process gets a rule.
inline constexpr std::chrono::seconds kFastPollingAfterMatch{2};

class PortFilterPath : public ClassifierPath {
 public:
  // Opens a sock_diag socket in the calling thread's network namespace.
  static Result<std::unique_ptr<PortFilterPath>> open();

  std::string name() const override { return "u32"; }
  Result<void> attach(const Plan& plan, NetlinkSocket& socket) override;
  Result<void> release_streams(const Plan& next, NetlinkSocket& socket) override;
  void set_process_rule(pid_t pid, ProcessRuleId rule) override;
  std::optional<std::chrono::milliseconds> refresh_interval() const override { return interval_; }
  void refresh(NetlinkSocket& socket) override;

  // The filters in the kernel now (for tests and status).
  const std::vector<InstalledPortFilter>& installed() const { return installed_; }
  const std::vector<StreamFilter>& stream_filters() const { return stream_filters_; }

 private:
  explicit PortFilterPath(NetlinkSocket diag_socket) : diag_socket_(std::move(diag_socket)) {}
  Result<void> sync_filters(NetlinkSocket& socket);
  Result<void> apply_changes(NetlinkSocket& socket, const PortFilterChanges& changes);
  const PortFilterSite* site_for(FilterDirection direction) const;
  void forget_sites(NetlinkSocket& socket);
  Result<void> sync_stream_filters(NetlinkSocket& socket, const std::vector<StreamFilter>& wanted);

  NetlinkSocket diag_socket_;
  std::vector<ClassifierEntry> classifier_;
  std::map<pid_t, ProcessRuleId> process_rules_;
  std::optional<PortFilterSite> egress_;
  std::optional<PortFilterSite> ingress_;
  std::vector<InstalledPortFilter> installed_;
  std::vector<StreamFilter> wanted_stream_filters_;  // the plan's
  std::vector<StreamFilter> stream_filters_;         // in the kernel
  std::map<uint64_t, uint32_t> socket_rules_;        // inode → rule, of matched processes' sockets
  std::set<uint64_t> seen_inodes_;                   // every socket of the last poll
  bool processes_changed_ = true;                    // socket_rules_ needs /proc again
  bool classes_changed_ = true;                      // the plan moved rules to other classes
  std::chrono::milliseconds interval_ = kMinPortPollInterval;
  std::chrono::nanoseconds poll_cost_{0};    // moving average of a poll's CPU time
  std::chrono::nanoseconds change_cost_{0};  // of the last poll, spent changing filters
  std::chrono::steady_clock::time_point fast_polls_until_;
};

}  // namespace nettoll
