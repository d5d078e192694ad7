// SPDX-License-Identifier: Apache-2.0
// Daemon: `nettoll daemon`. Follows the active interface, keeps the kernel
// matching the config on it, reloads on SIGHUP without dropping shaping,
// serves the HTTP API, and cleans up on SIGTERM. One event loop.
#pragma once

#include <chrono>
#include <map>
#include <memory>
#include <nlohmann/json.hpp>
#include <optional>
#include <string>
#include <variant>

#include "api/api_server.h"
#include "core/active_interface.h"
#include "core/config.h"
#include "daemon/accounting.h"
#include "daemon/container_name_lookup.h"
#include "daemon/dashboard_routes.h"
#include "daemon/event_loop.h"
#include "daemon/event_sink.h"
#include "daemon/interface_plan.h"
#include "daemon/kernel_recovery.h"
#include "daemon/limit_service.h"
#include "daemon/process_classifier.h"
#include "daemon/quota_enforcer.h"
#include "daemon/reservation_service.h"
#include "daemon/shaper.h"
#include "daemon/stats_history.h"
#include "daemon/traffic_stats.h"
#include "daemon/usage_history.h"
#include "kernel/netlink_socket.h"
#include "kernel/network_events.h"

namespace nettoll {

struct DaemonOptions {
  std::string config_path;
  std::string netns;                                   // manage this network namespace (as ip -n)
  std::string api_socket = kDefaultApiSocket;          // the HTTP API, root only
  std::string runtime_dir = kDefaultRuntimeDirectory;  // what a restart after a crash needs
  std::string state_path = kDefaultStatePath;          // reservations, clients' original limits
  std::string cgroup;  // cgroup v2 directory whose sockets are classified ("" = the root)
  ClassifierMode classifier = ClassifierMode::automatic;
  std::string usage_db = kDefaultUsageDatabase;  // the usage history
  std::chrono::seconds usage_flush_interval{kUsageFlushSeconds};
  // Test-only: the usage history and quotas see the time this far ahead of
  // the system's (a test sees a quota period end without waiting for it).
  int64_t clock_offset_seconds = 0;
};

class Daemon {
 public:
  // Loads the config, enters the namespace, opens the kernel interfaces,
  // applies the first plan and tells systemd it is ready. Fails (with the
  // exit code to use) when the config is bad or the kernel refuses.
  struct StartFailure {
    int exit_code;
    std::string message;
  };
  static std::variant<std::unique_ptr<Daemon>, StartFailure> start(const DaemonOptions& options);

  // Runs until SIGTERM/SIGINT, then removes everything; the exit code.
  int run();

  ~Daemon();

 private:
  Daemon(DaemonOptions options, Config config);
  Result<void> open_kernel_interfaces();
  Result<void> register_events();
  // Re-evaluates the active interface and makes the kernel match; `why`
  // names the trigger for the log.
  Result<void> follow_link(const std::string& why);
  // Re-reads the config and applies it; a bad config or a kernel refusal
  // keeps the previous shaping. The response says which, with check's lines.
  ApiResponse reload(const std::string& why);
  void register_routes();
  Result<void> open_reservations();
  // Replaces the reservation service by one for `next` (start, reload).
  Result<void> switch_reservations(ReservationReload next);
  Result<void> open_accounting();
  // Opens the usage database once something is counted (the default config
  // leaves no file), and keeps its retention the config's.
  void follow_usage_history();
  // Opens the usage database (once; see usage_history_).
  void open_usage_history();
  // The config to plan: set's overrides, then the quotas' limits and blocks.
  Config planned_config() const;
  void stop();
  // Keeps the classifier's periodic refresh (the fallback's poll) running
  // while it wants one; `soon`: a process just got a rule, look now.
  void schedule_classifier_refresh(bool soon = false);
  void notify_status() const;
  nlohmann::json status();

  DaemonOptions options_;
  Config config_;
  std::unique_ptr<EventLoop> loop_;
  std::optional<NetlinkSocket> socket_;
  std::optional<Shaper> shaper_;
  std::optional<KernelRecovery> recovery_;
  std::optional<NetworkEvents> network_events_;
  std::unique_ptr<ApiServer> api_;
  std::unique_ptr<ReservationService> reservations_;  // with a `reservations:` section
  std::unique_ptr<ProcessClassifier> classifier_;
  std::unique_ptr<ContainerNameLookup> container_names_;  // from the engines' APIs
  std::unique_ptr<Accounting> accounting_;
  std::unique_ptr<TrafficStats> traffic_stats_;
  std::unique_ptr<StatsHistory> stats_history_;  // /v1/stats/history
  std::shared_ptr<EventSink> events_;            // /v1/events
  DashboardRoutes dashboard_;                    // the web page and its files
  std::unique_ptr<UsageHistory> usage_history_;  // nullptr until counting starts, or when it cannot be opened
  std::unique_ptr<QuotaEnforcer> quotas_;
  UsageRecorder::Clock usage_clock_;  // the usage rows' and quotas' clock (--test-clock-offset)
  InterfaceChoice link_;
  std::string last_error_;
  NaturalGsoSizes natural_gso_;
  LimitService limits_{[this]() -> const Config& { return config_; },
                       [this](const std::string& why) { return follow_link(why); }};
  bool refresh_scheduled_ = false;
};

}  // namespace nettoll
