// SPDX-License-Identifier: Apache-2.0
// EventSink: a spdlog sink that keeps the daemon's last 200 log lines of
// level info and above in memory (core/event_log.h) for `GET
// /v1/events?since=SEQ`, the dashboard's log panel. Thread-safe: any thread
// may log while the loop answers.
#pragma once

#include <spdlog/sinks/base_sink.h>

#include <memory>
#include <mutex>

#include "api/router.h"
#include "core/event_log.h"

namespace nettoll {

class EventSink : public spdlog::sinks::base_sink<std::mutex> {
 public:
  // Adds a sink to the default logger; it keeps logging there until exit.
  static std::shared_ptr<EventSink> attach();

  // GET /v1/events.
  void register_routes(Router& router);

  // The events after `seq` (all when absent).
  std::vector<LogEvent> since(std::optional<uint64_t> seq);

 protected:
  void sink_it_(const spdlog::details::log_msg& message) override;
  void flush_() override {}

 private:
  EventLog log_;  // guarded by the base sink's mutex_
};

}  // namespace nettoll
