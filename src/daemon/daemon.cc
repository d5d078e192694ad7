// SPDX-License-Identifier: Apache-2.0
#include "daemon/daemon.h"

#include <signal.h>
#include <spdlog/spdlog.h>
#include <systemd/sd-daemon.h>

#include <ctime>

#include "core/api_config_loader.h"
#include "core/config_loader.h"
#include "core/exit_codes.h"
#include "daemon/interface_plan.h"
#include "daemon/logging.h"
#include "daemon/status_report.h"
#include "daemon/usage_endpoint.h"
#include "kernel/netns.h"
#include "kernel/route_query.h"

namespace nettoll {
namespace {

using namespace std::chrono_literals;

// Link, address and route notifications come in bursts (an interface going
// up brings its addresses and routes): act once the burst is over.
constexpr auto kSettleDelay = 100ms;

}  // namespace

Daemon::Daemon(DaemonOptions options, Config config)
    : options_(std::move(options)), config_(std::move(config)) {}

Daemon::~Daemon() = default;

std::variant<std::unique_ptr<Daemon>, Daemon::StartFailure> Daemon::start(const DaemonOptions& options) {
  const LoadedConfig loaded = load_config_file(options.config_path);
  log_diagnostics(loaded);
  if (!loaded.ok()) return StartFailure{kExitBadInput, options.config_path + " has errors; see above"};
  std::unique_ptr<Daemon> daemon(new Daemon(options, *loaded.config));
  daemon->events_ = EventSink::attach();
  if (auto opened = daemon->open_kernel_interfaces(); !opened) {
    return StartFailure{kExitRuntimeFailure, opened.error()};
  }
  if (auto registered = daemon->register_events(); !registered) {
    return StartFailure{kExitRuntimeFailure, registered.error()};
  }
  // Whatever an earlier run left (it crashed, or was killed), the first plan
  // adopts or removes it.
  if (auto adopted = daemon->recovery_->adopt_into(*daemon->shaper_, *daemon->socket_, daemon->natural_gso_);
      !adopted) {
    return StartFailure{kExitRuntimeFailure, adopted.error()};
  }
  if (auto followed = daemon->follow_link("start"); !followed && daemon->shaper_->refused()) {
    // Another shaper holds the interface: nothing was changed. Stay up so
    // `nettoll status` shows why; a reload or network change tries again.
    spdlog::error("not shaping: {}", followed.error());
  } else if (!followed) {
    // Shaping may be in place while classification failed: take it all
    // away, so a failed start leaves the kernel as it was.
    daemon->classifier_.reset();
    if (auto cleared = daemon->recovery_->remove_all(*daemon->shaper_, *daemon->socket_); !cleared) {
      spdlog::error("{}", cleared.error());
    }
    return StartFailure{kExitRuntimeFailure, followed.error()};
  }
  sd_notify(0, "READY=1");
  daemon->notify_status();
  return daemon;
}

Result<void> Daemon::open_kernel_interfaces() {
  // Process events only reach the initial network namespace: their source is
  // opened before entering --netns.
  auto classifier = ProcessClassifier::open(options_.cgroup, options_.classifier);
  if (!classifier) return Error{classifier.error()};
  classifier_ = std::move(*classifier);
  if (!options_.netns.empty()) {
    if (auto entered = enter_network_namespace(options_.netns); !entered) return entered;
  }
  auto socket = NetlinkSocket::open();
  if (!socket) return Error{socket.error()};
  socket_.emplace(std::move(*socket));
  auto shaper = Shaper::open([](const std::string& change) { spdlog::debug("{}", change); });
  if (!shaper) return Error{shaper.error()};
  shaper_.emplace(std::move(*shaper));
  auto recovery = KernelRecovery::open(options_.runtime_dir);
  if (!recovery) return Error{recovery.error()};
  recovery_.emplace(std::move(*recovery));
  auto network_events = NetworkEvents::open();
  if (!network_events) return Error{network_events.error()};
  network_events_.emplace(std::move(*network_events));
  auto loop = EventLoop::create(true);
  if (!loop) return Error{loop.error()};
  loop_ = std::move(*loop);
  auto api_options = api_server_options(config_, options_.api_socket);
  if (!api_options) return Error{api_options.error()};
  auto api = ApiServer::start(*api_options);
  if (!api) return Error{api.error()};
  api_ = std::move(*api);
  register_routes();
  auto names = ContainerNameLookup::open(
      *loop_, [this] { return config_.container_engines; },
      [this] {
        if (classifier_) classifier_->on_container_names();
      });
  if (!names) return Error{names.error()};
  container_names_ = std::move(*names);
  classifier_->set_container_namer(container_names_->namer());
  if (auto opened = open_accounting(); !opened) return opened;
  return open_reservations();
}

// Per-process counters and class rates, /v1/stats and /metrics.
Result<void> Daemon::open_accounting() {
  accounting_ = std::make_unique<Accounting>(
      *loop_, Accounting::Sources{[this] { return classifier_ ? classifier_->process_traffic_fd() : -1; },
                                  [this] { return rule_names_of(shaper_->applied()); },
                                  [this] { return class_counters_of(*socket_, shaper_->applied()); }});
  traffic_stats_ = std::make_unique<TrafficStats>(
      *accounting_,
      TrafficStats::Sources{[this]() -> const Plan& { return shaper_->applied(); },
                            [this] { return shaper_->applied_version(); }, [this] { return link_; },
                            [this] { return classifier_ ? classifier_->path_name() : std::string("none"); }});
  traffic_stats_->register_routes(api_->router());
  stats_history_ = std::make_unique<StatsHistory>(*loop_, *accounting_,
                                                  [this]() -> const Plan& { return shaper_->applied(); });
  stats_history_->register_routes(api_->router());
  if (auto started = stats_history_->start(); !started) return started;
  register_usage_route(api_->router(), options_.usage_db, [this] {
    if (usage_history_) usage_history_->flush();
  });
  const int64_t offset = options_.clock_offset_seconds;
  usage_clock_ = [offset] { return static_cast<int64_t>(std::time(nullptr)) + offset; };
  QuotaTracker::UsageSource usage = [this](const UsageFilter& filter) -> Result<UsageBucket> {
    if (!usage_history_) return Error{"the usage history has no database to count them in"};
    return usage_history_->recorder().used(filter);
  };
  quotas_ = std::make_unique<QuotaEnforcer>(
      *loop_, std::move(usage),
      QuotaEnforcer::Hooks{usage_clock_,
                           [this] {
                             if (auto followed = follow_link("quota"); !followed)
                               spdlog::error("{}", followed.error());
                           },
                           [this] { return !classifier_ || classifier_->path_name() != "u32"; }});
  // Quotas count from the database: it opens now, not once counting attaches.
  if (!QuotaTracker::quotas_of(config_).empty()) open_usage_history();
  quotas_->configure(config_);
  traffic_stats_->add_metrics([this] { return quotas_->metric_families(); });
  if (auto started = quotas_->start(); !started) return started;
  return accounting_->start();
}

void Daemon::open_usage_history() {
  if (usage_history_) return;
  usage_history_ = UsageHistory::open(options_.usage_db, *loop_, *accounting_, options_.usage_flush_interval,
                                      usage_clock_);
}

void Daemon::follow_usage_history() {
  if (classifier_->process_traffic_fd() >= 0) open_usage_history();
  if (usage_history_) usage_history_->set_retention_days(config_.usage_retention_days);
}

Config Daemon::planned_config() const { return quotas_->effective(limits_.apply(config_)); }

Result<void> Daemon::open_reservations() {
  if (!config_.reservations) return success();
  auto prepared = ReservationService::prepare(config_.reservations, nullptr);
  if (!prepared) return Error{prepared.error()};
  return switch_reservations(std::move(*prepared));
}

Result<void> Daemon::switch_reservations(ReservationReload next) {
  const bool configured = next.settings.has_value();
  auto service = ReservationService::reload(std::move(reservations_), std::move(next), *loop_,
                                            options_.state_path, [this] {
                                              if (auto followed = follow_link("reservations"); !followed)
                                                spdlog::error("{}", followed.error());
                                            });
  if (service && *service && configured) {
    (*service)->register_routes(api_->router());
  } else {
    ReservationService::unregister_routes(api_->router());
  }
  if (!service) return Error{service.error()};
  reservations_ = std::move(*service);
  return success();
}

Result<void> Daemon::register_events() {
  for (int signal_number : {SIGTERM, SIGINT}) {
    if (auto ok = loop_->on_signal(signal_number, [this] { stop(); }); !ok) return ok;
  }
  if (auto ok = loop_->on_signal(SIGHUP, [this] { reload("SIGHUP"); }); !ok) return ok;
  if (auto ok = loop_->on_readable(api_->fd(), [this] { api_->run_pending(); }); !ok) return ok;
  if (classifier_->events_fd() >= 0) {  // none: rules come from the classifier's rescans
    if (auto ok = loop_->on_readable(classifier_->events_fd(),
                                     [this] {
                                       if (classifier_->on_events()) schedule_classifier_refresh(true);
                                     });
        !ok)
      return ok;
  }
  if (auto ok = loop_->on_readable(classifier_->exits_fd(), [this] { classifier_->on_exits(); }); !ok)
    return ok;
  return loop_->on_readable(network_events_->fd(), [this] {
    auto changed = network_events_->drain();
    if (!changed) {
      spdlog::error("{}", changed.error());
    } else if (*changed) {
      auto scheduled = loop_->after("follow-link", kSettleDelay, [this] {
        if (auto followed = follow_link("network change"); !followed) spdlog::error("{}", followed.error());
      });
      if (!scheduled) spdlog::error("{}", scheduled.error());
    }
  });
}

Result<void> Daemon::follow_link(const std::string& why) {
  auto choice = find_active_interface(*socket_, config_.interface);
  if (!choice) return Error{choice.error()};
  const bool moved = choice->interface != link_.interface;
  if (moved || why == "start") {
    spdlog::info("managed interface: {} ({}; on {})", choice->interface.empty() ? "none" : choice->interface,
                 choice->reason, why);
  }
  link_ = *choice;
  set_log_interface(link_.interface);
  auto plan =
      plan_for_interface(*socket_, planned_config(), link_.interface, natural_gso_,
                         reservations_ ? reservations_->active_streams() : std::vector<ReservedStream>{},
                         stream_slots_of(shaper_->applied()));
  if (!plan) return Error{plan.error()};
  if (auto recorded = recovery_->remember(*socket_, *plan); !recorded) {
    last_error_ = recorded.error();
    notify_status();
    return Error{recorded.error()};
  }
  if (auto released = classifier_->release_streams(*plan, *socket_); !released) {
    spdlog::warn("{}", released.error());
  }
  auto changed = shaper_->apply(*plan);
  if (!changed) {
    last_error_ = changed.error();
    notify_status();
    return Error{changed.error()};
  }
  if (auto classified = classifier_->apply(*plan, config_.processes, *socket_); !classified) {
    last_error_ = classified.error();
    notify_status();
    return Error{classified.error()};
  }
  if (auto restored = recovery_->restore(*socket_, managed_devices_of(*plan)); !restored) {
    spdlog::error("{}", restored.error());
  }
  schedule_classifier_refresh();
  follow_usage_history();
  last_error_.clear();
  if (*changed > 0) {
    spdlog::info("shaping {}: {} change(s)", link_.interface.empty() ? "interface limits" : link_.interface,
                 *changed);
  }
  notify_status();
  return success();
}

void Daemon::schedule_classifier_refresh(bool soon) {
  // A matched process's first sockets come within milliseconds of its exec.
  constexpr std::chrono::milliseconds kSoon{5};
  const auto interval = classifier_->refresh_interval();
  if (!interval || (refresh_scheduled_ && !soon)) return;
  auto scheduled = loop_->after("classifier-refresh", soon ? kSoon : *interval, [this] {
    refresh_scheduled_ = false;
    if (!classifier_) return;
    classifier_->refresh(*socket_);
    schedule_classifier_refresh();
  });
  if (!scheduled) {
    spdlog::error("{}", scheduled.error());
    return;
  }
  refresh_scheduled_ = true;
}

void Daemon::register_routes() {
  dashboard_.register_routes(api_->router());
  api_->router().add("GET", "/v1/status", [this](const ApiRequest&) { return ApiResponse{200, status()}; });
  api_->router().add("POST", "/v1/reload", [this](const ApiRequest& request) {
    if (!request.body.is_null() && !request.body.empty())
      return api_error(400, "POST /v1/reload takes no body");
    return reload("POST /v1/reload");
  });
  limits_.register_routes(api_->router());
  events_->register_routes(api_->router());
}

ApiResponse Daemon::reload(const std::string& why) {
  spdlog::info("{}: reloading {}", why, options_.config_path);
  const LoadedConfig loaded = load_config_file(options_.config_path);
  log_diagnostics(loaded);
  nlohmann::json messages = nlohmann::json::array();
  for (const Diagnostic& diagnostic : loaded.diagnostics) messages.push_back(format_diagnostic(diagnostic));
  if (!loaded.ok()) {
    spdlog::error("reload rejected: {} has errors; shaping stays as it was", options_.config_path);
    ApiResponse rejected = api_error(400, options_.config_path + " has errors; shaping stays as it was");
    rejected.body["messages"] = std::move(messages);
    return rejected;
  }
  // Made before anything changes: a client adapter that cannot be made
  // (an unreadable password-file) rejects the reload.
  auto reservations = ReservationService::prepare(loaded.config->reservations, reservations_.get());
  if (!reservations) {
    spdlog::error("reload rejected: {}; shaping stays as it was", reservations.error());
    return api_error(400, "reload rejected: " + reservations.error() + "; shaping stays as it was");
  }
  const Config previous = config_;
  const LimitService::Overrides previous_overrides = limits_.overrides();
  config_ = *loaded.config;
  quotas_->configure(config_);
  limits_.clear();  // `nettoll set` lasts until the next reload
  if (auto followed = follow_link("reload"); !followed) {
    // The failure may come after the kernel took the new plan (the
    // classifier refused it): put the previous one back before saying so.
    config_ = previous;
    quotas_->configure(config_);
    limits_.restore(previous_overrides);
    if (auto restored = follow_link("reload failure"); !restored) {
      const std::string message = "reload failed: " + followed.error() +
                                  "; going back to the previous config failed too: " + restored.error();
      spdlog::error("{}", message);
      return api_error(500, message);
    }
    spdlog::error("reload failed, previous shaping kept: {}", followed.error());
    return api_error(500, "reload failed, previous shaping kept: " + followed.error());
  }
  if (auto switched = switch_reservations(std::move(*reservations)); !switched) {
    spdlog::error("reload applied without reservations: {}", switched.error());
    return api_error(500, "reload applied without reservations: " + switched.error());
  }
  if (auto followed = follow_link("reload of reservations"); !followed) spdlog::error("{}", followed.error());
  auto api_settings = [](const Config& c) {
    const auto api = tcp_api_of(c);
    return api ? api->listen + " " + api->token_file : std::string();
  };
  if (api_settings(previous) != api_settings(config_)) {
    spdlog::warn("api: the TCP listener (listen, token-file) changes at the next start");
  }
  spdlog::info("reload applied");
  // "messages": the warnings `check` would print for the new config.
  return ApiResponse{200, {{"result", "applied"}, {"applied", true}, {"messages", std::move(messages)}}};
}

void Daemon::stop() {
  sd_notify(0, "STOPPING=1");
  spdlog::info("stopping: removing nettoll's qdiscs, classes and IFB");
  int code = kExitOk;
  if (reservations_) reservations_->restore_clients();
  if (usage_history_) {
    accounting_->sample();  // the bytes since the last second's sample
    usage_history_->flush();
  }
  classifier_.reset();  // detaches the BPF programs first
  if (auto cleared = recovery_->remove_all(*shaper_, *socket_); !cleared) {
    spdlog::error("{}", cleared.error());
    code = kExitRuntimeFailure;
  }
  loop_->exit(code);
}

int Daemon::run() { return loop_->run(); }

void Daemon::notify_status() const {
  sd_notify(0, ("STATUS=" + status_line(link_, shaper_->applied(), last_error_)).c_str());
}

nlohmann::json Daemon::status() {
  const ClassCounterLookup counters = [this](const std::string& key) -> const TcStats* {
    return accounting_ ? accounting_->class_counters(key) : nullptr;
  };
  nlohmann::json report =
      status_report(counters, options_.config_path, link_, shaper_->applied(), last_error_);
  report["processes"] = classifier_ ? classifier_->matched_processes() : nlohmann::json::object();
  report["classifier"] = classifier_ ? classifier_->path_status() : nlohmann::json{{"path", "none"}};
  limits_.add_status(report);
  if (reservations_) report["reservations"] = reservations_->status();
  report["quotas"] = quotas_->status_json();
  return report;
}

}  // namespace nettoll
