// SPDX-License-Identifier: Apache-2.0
#include "daemon/reservation_service.h"

#include <spdlog/spdlog.h>

#include "clients/client_factory.h"
#include "core/jellyfin_hook.h"
#include "core/plan_format.h"
#include "core/reservation_request.h"
#include "core/tautulli_hook.h"

namespace nettoll {
namespace {

// The service's timers, cancelled with it on a reload.
constexpr const char* kExpiryTimer = "reservation-expiry";
constexpr const char* kClientTimers = "clients: ";

}  // namespace

// The limiter's retries and checks, as one-shot timers on the daemon's loop.
class ReservationService::LoopTimer : public LimiterTimer {
 public:
  explicit LoopTimer(EventLoop& loop) : loop_(loop) {}
  void after(const std::string& name, std::chrono::milliseconds delay,
             std::function<void()> callback) override {
    if (auto scheduled = loop_.after(std::string(kClientTimers) + name, delay, std::move(callback));
        !scheduled) {
      spdlog::error("{}", scheduled.error());
    }
  }

 private:
  EventLoop& loop_;
};

ReservationService::ReservationService(const ReservationsConfig& settings, EventLoop& loop,
                                       std::string state_path, StreamsChanged streams_changed)
    : book_(settings),
      loop_(loop),
      state_file_(std::move(state_path)),
      streams_changed_(std::move(streams_changed)),
      timer_(std::make_unique<LoopTimer>(loop)),
      jellyfin_default_upload_(settings.jellyfin_default_upload) {}

ReservationService::~ReservationService() = default;

Result<ReservationReload> ReservationService::prepare(const std::optional<ReservationsConfig>& settings,
                                                      const ReservationService* current) {
  ReservationReload next;
  next.settings = settings;
  std::set<std::string> configured;
  for (const TorrentClientConfig& client :
       settings ? settings->clients : std::vector<TorrentClientConfig>{}) {
    auto made = make_torrent_client(client);
    if (!made) return Error{"reservations: clients: " + made.error()};
    configured.insert((*made)->name());
    next.clients.push_back(std::move(*made));
    next.configs.push_back(client);
  }
  // The current service's clients, retiring ones included: one still down
  // at an earlier reload is still retried.
  for (const TorrentClientConfig& client :
       current ? current->client_configs_ : std::vector<TorrentClientConfig>{}) {
    auto made = make_torrent_client(client);
    if (!made) {
      spdlog::error("a client leaving the config keeps its lowered limits: {}", made.error());
      continue;
    }
    const std::string name = (*made)->name();
    if (configured.count(name) || !current->limiter_->holds(name)) continue;
    next.retiring.insert(name);
    next.clients.push_back(std::move(*made));
    next.configs.push_back(client);
  }
  auto threads = ClientThreads::create(next.clients.size());
  if (!threads) return Error{threads.error()};
  next.threads = std::move(*threads);
  return next;
}

Result<std::unique_ptr<ReservationService>> ReservationService::reload(
    std::unique_ptr<ReservationService> current, ReservationReload next, EventLoop& loop,
    const std::string& state_path, StreamsChanged streams_changed) {
  std::vector<Reservation> reservations;
  LimiterHandover clients;
  if (current) {
    reservations = current->book_.reservations();
    clients = current->close();
    current.reset();
  } else {
    auto state = StateFile(state_path).load();
    if (!state) return Error{state.error()};
    reservations = std::move(state->reservations);
    clients.originals = std::move(state->original_limits);
    if (!reservations.empty())
      spdlog::info("{} reservation(s) kept from the state file", reservations.size());
  }
  if (!next.settings) {
    for (const Reservation& reservation : reservations) {
      spdlog::info("reservation {} ends: the config has no reservations: section any more", reservation.id);
    }
    reservations.clear();
  }
  if (!next.settings && next.retiring.empty()) {
    if (auto saved = StateFile(state_path).save(StateDocument{{}, clients.originals}); !saved) {
      spdlog::error("{}", saved.error());
    }
    return std::unique_ptr<ReservationService>();
  }
  std::unique_ptr<ReservationService> service(new ReservationService(
      next.settings.value_or(ReservationsConfig{}), loop, state_path, std::move(streams_changed)));
  if (auto started = service->start_clients(std::move(next)); !started) return Error{started.error()};
  service->take_over(std::move(reservations), clients);
  return service;
}

Result<void> ReservationService::start_clients(ReservationReload next) {
  client_threads_ = std::move(next.threads);
  client_configs_ = std::move(next.configs);
  ClientThreads* client_threads = client_threads_.get();
  if (auto watched =
          loop_.on_readable(client_threads->fd(), [client_threads] { client_threads->run_done(); });
      !watched) {
    return Error{watched.error()};
  }
  limiter_ = std::make_unique<ClientLimiter>(
      std::move(next.clients), *client_threads_, *timer_,
      [this](const std::map<std::string, ClientLimits>& originals) {
        return state_file_.save(StateDocument{book_.reservations(), originals});
      },
      [](const std::string& message) { spdlog::warn("{}", message); });
  for (const std::string& name : next.retiring) {
    spdlog::info("{}: not configured any more; restoring its original limits", name);
    limiter_->retire(name);
  }
  return success();
}

void ReservationService::take_over(std::vector<Reservation> reservations, const LimiterHandover& clients) {
  limiter_->take_over(clients);
  book_.restore(std::move(reservations));
  for (const std::string& id : book_.expire(std::chrono::system_clock::now())) {
    spdlog::info("reservation {} expired", id);
  }
  // The daemon plans with active_streams() once this returns: no re-plan here.
  save();
  schedule_expiry();
  limiter_->set_targets(book_.client_targets());
}

LimiterHandover ReservationService::close() {
  LimiterHandover clients = limiter_->hand_over();
  loop_.cancel_timers(kExpiryTimer);
  loop_.cancel_timers(kClientTimers);
  loop_.stop_watching(client_threads_->fd());
  return clients;
}

void ReservationService::register_routes(Router& router) {
  router.add("GET", "/v1/reservations", [this](const ApiRequest&) { return ApiResponse{200, status()}; });
  router.add("POST", "/v1/reservations", [this](const ApiRequest& request) {
    return apply(parse_reservation_request(request.raw_body), 201);
  });
  router.add("DELETE", "/v1/reservations/{id}", [this](const ApiRequest& request) {
    const std::string& id = request.params.at("id");
    if (!book_.find(id)) return api_error(404, "no reservation '" + id + "'");
    StreamEvent stop;
    stop.action = StreamAction::stop;
    stop.id = id;
    return apply(stop, 200);
  });
  router.add("POST", "/v1/hooks/tautulli", [this](const ApiRequest& request) {
    return apply(parse_tautulli_webhook(request.raw_body), 200);
  });
  router.add("POST", "/v1/hooks/jellyfin", [this](const ApiRequest& request) {
    return apply(parse_jellyfin_webhook(request.raw_body, jellyfin_default_upload_), 200);
  });
}

ApiResponse ReservationService::apply(const Result<StreamEvent>& event, int success_status) {
  if (!event) return api_error(400, event.error());
  if (auto applied = book_.apply(*event, std::chrono::system_clock::now()); !applied) {
    return api_error(400, applied.error());
  }
  spdlog::info("reservation {}: {} ({})", event->id, to_string(event->action), to_string(event->source));
  changed();
  nlohmann::json body{{"id", event->id}};
  if (const Reservation* kept = book_.find(event->id)) body["state"] = std::string(to_string(kept->state));
  return ApiResponse{success_status, std::move(body)};
}

void ReservationService::unregister_routes(Router& router) {
  for (const char* pattern :
       {"/v1/reservations", "/v1/reservations/{id}", "/v1/hooks/tautulli", "/v1/hooks/jellyfin"}) {
    router.remove(pattern);
  }
}

void ReservationService::save() {
  if (auto saved = state_file_.save(StateDocument{book_.reservations(), limiter_->originals()}); !saved) {
    spdlog::error("{}", saved.error());
  }
}

void ReservationService::changed() {
  save();
  schedule_expiry();
  limiter_->set_targets(book_.client_targets());
  streams_changed_();
}

void ReservationService::schedule_expiry() {
  const auto next = book_.next_expiry();
  if (!next) return;
  const auto delay =
      std::chrono::duration_cast<std::chrono::milliseconds>(*next - std::chrono::system_clock::now());
  auto scheduled = loop_.after(kExpiryTimer, std::max(delay, std::chrono::milliseconds(0)), [this] {
    for (const std::string& id : book_.expire(std::chrono::system_clock::now())) {
      spdlog::info("reservation {} expired", id);
    }
    changed();
  });
  if (!scheduled) spdlog::error("{}", scheduled.error());
}

void ReservationService::restore_clients() {
  if (!limiter_->restore_all()) spdlog::warn("some torrent clients keep lowered limits until the next start");
}

nlohmann::json ReservationService::status() const {
  nlohmann::json reservations = nlohmann::json::array();
  const auto now = std::chrono::system_clock::now();
  for (const Reservation& r : book_.reservations()) {
    reservations.push_back(
        {{"id", r.id},
         {"ip", r.remote_ip},
         {"upload_bps", r.upload.bits_per_second()},
         {"download_bps", r.download.bits_per_second()},
         {"expires_in_s", std::chrono::duration_cast<std::chrono::seconds>(r.expires - now).count()},
         {"source", std::string(to_string(r.source))},
         {"state", std::string(to_string(r.state))}});
  }
  nlohmann::json clients = nlohmann::json::array();
  for (const auto& [name, limits] : limiter_->originals()) clients.push_back(name);
  return {{"reservations", std::move(reservations)},
          {"reserved_upload_bps", book_.reserved_upload().bits_per_second()},
          {"reserved_download_bps", book_.reserved_download().bits_per_second()},
          {"clients_held", std::move(clients)}};
}

}  // namespace nettoll
