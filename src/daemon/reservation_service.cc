// SPDX-License-Identifier: Apache-2.0
#include "daemon/reservation_service.h"

#include <spdlog/spdlog.h>

#include "clients/client_factory.h"
#include "core/jellyfin_hook.h"
#include "core/plan_format.h"
#include "core/reservation_request.h"
#include "core/tautulli_hook.h"

namespace nettoll {

// The limiter's retries and checks, as one-shot timers on the daemon's loop.
class ReservationService::LoopTimer : public LimiterTimer {
 public:
  explicit LoopTimer(EventLoop& loop) : loop_(loop) {}
  void after(const std::string& name, std::chrono::milliseconds delay,
             std::function<void()> callback) override {
    if (auto scheduled = loop_.after("clients: " + name, delay, std::move(callback)); !scheduled) {
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

Result<std::unique_ptr<ReservationService>> ReservationService::open(const ReservationsConfig& settings,
                                                                     EventLoop& loop,
                                                                     const std::string& state_path,
                                                                     StreamsChanged streams_changed) {
  std::unique_ptr<ReservationService> service(
      new ReservationService(settings, loop, state_path, std::move(streams_changed)));
  auto state = service->state_file_.load();
  if (!state) return Error{state.error()};
  std::vector<std::unique_ptr<TorrentClient>> clients;
  for (const TorrentClientConfig& client : settings.clients) {
    auto made = make_torrent_client(client);
    if (!made) return Error{made.error()};
    clients.push_back(std::move(*made));
  }
  auto threads = ClientThreads::create(clients.size());
  if (!threads) return Error{threads.error()};
  service->client_threads_ = std::move(*threads);
  ClientThreads* client_threads = service->client_threads_.get();
  if (auto watched = loop.on_readable(client_threads->fd(), [client_threads] { client_threads->run_done(); });
      !watched) {
    return Error{watched.error()};
  }
  ReservationService* self = service.get();
  service->limiter_ = std::make_unique<ClientLimiter>(
      std::move(clients), *service->client_threads_, *service->timer_,
      [self](const std::map<std::string, ClientLimits>& originals) {
        StateDocument document{self->book_.reservations(), originals};
        return self->state_file_.save(document);
      },
      [](const std::string& message) { spdlog::warn("{}", message); });
  service->limiter_->load_originals(state->original_limits);
  service->book_.restore(state->reservations);
  const auto expired = service->book_.expire(std::chrono::system_clock::now());
  for (const std::string& id : expired) spdlog::info("reservation {} expired while nettoll was stopped", id);
  if (!state->reservations.empty()) {
    spdlog::info("{} reservation(s) kept from the state file", service->book_.reservations().size());
  }
  // The daemon plans with active_streams() once it is started: no re-plan here.
  service->save();
  service->schedule_expiry();
  service->limiter_->set_targets(service->book_.client_targets());
  return service;
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
  auto scheduled = loop_.after("reservation-expiry", std::max(delay, std::chrono::milliseconds(0)), [this] {
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
