// SPDX-License-Identifier: Apache-2.0
#include "daemon/event_sink.h"

#include <spdlog/spdlog.h>

#include <charconv>

namespace nettoll {
namespace {

const char* level_name(spdlog::level::level_enum level) {
  if (level >= spdlog::level::err) return "error";
  if (level == spdlog::level::warn) return "warning";
  return "info";
}

}  // namespace

std::shared_ptr<EventSink> EventSink::attach() {
  auto sink = std::make_shared<EventSink>();
  sink->set_level(spdlog::level::info);
  spdlog::default_logger()->sinks().push_back(sink);
  return sink;
}

void EventSink::sink_it_(const spdlog::details::log_msg& message) {
  const auto unix_ms =
      std::chrono::duration_cast<std::chrono::milliseconds>(message.time.time_since_epoch()).count();
  log_.add(iso8601_utc(unix_ms), level_name(message.level),
           std::string(message.payload.data(), message.payload.size()));
}

std::vector<LogEvent> EventSink::since(std::optional<uint64_t> seq) {
  const std::lock_guard lock(mutex_);
  return log_.since(seq);
}

void EventSink::register_routes(Router& router) {
  router.add("GET", "/v1/events", [this](const ApiRequest& request) {
    std::optional<uint64_t> seq;
    if (auto it = request.query.find("since"); it != request.query.end()) {
      uint64_t value = 0;
      const std::string& text = it->second;
      const auto [end, error] = std::from_chars(text.data(), text.data() + text.size(), value);
      if (text.empty() || error != std::errc() || end != text.data() + text.size())
        return api_error(400, "since: expected the seq of the last event seen (e.g. 42), got '" + text + "'");
      seq = value;
    }
    return ApiResponse{200, events_json(since(seq))};
  });
}

}  // namespace nettoll
