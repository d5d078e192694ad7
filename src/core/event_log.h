// SPDX-License-Identifier: Apache-2.0
// EventLog: the dashboard's "what happened" list, the last log lines that
// matter (interface moves, reload results, client errors), each with a
// sequence number so a page asks only for what it has not seen. Pure.
#pragma once

#include <cstddef>
#include <cstdint>
#include <deque>
#include <nlohmann/json.hpp>
#include <optional>
#include <string>
#include <vector>

namespace nettoll {

struct LogEvent {
  uint64_t seq = 0;     // 1, 2, 3... in the order they were logged
  std::string time;     // ISO 8601, UTC
  std::string level;    // info, warning, error
  std::string message;  // one line
};

class EventLog {
 public:
  static constexpr size_t kDefaultCapacity = 200;
  explicit EventLog(size_t capacity = kDefaultCapacity) : capacity_(capacity) {}

  // Records a line, dropping the oldest beyond the capacity; its seq.
  uint64_t add(std::string time, std::string level, std::string message);

  // The events after `seq` (all kept ones when absent), oldest first.
  std::vector<LogEvent> since(std::optional<uint64_t> seq) const;

 private:
  size_t capacity_;
  std::deque<LogEvent> events_;
  uint64_t last_seq_ = 0;
};

// {"events": [{"seq": 1, "time": "...", "level": "info", "message": "..."}]}.
nlohmann::json events_json(const std::vector<LogEvent>& events);

// "2026-12-02T04:40:00.123Z" for milliseconds since the epoch.
std::string iso8601_utc(int64_t unix_ms);

}  // namespace nettoll
