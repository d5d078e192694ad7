// SPDX-License-Identifier: Apache-2.0
#include "core/event_log.h"

#include <fmt/format.h>

#include <chrono>

namespace nettoll {

uint64_t EventLog::add(std::string time, std::string level, std::string message) {
  if (const size_t newline = message.find('\n'); newline != std::string::npos) message.resize(newline);
  events_.push_back(LogEvent{++last_seq_, std::move(time), std::move(level), std::move(message)});
  while (events_.size() > capacity_) events_.pop_front();
  return last_seq_;
}

std::vector<LogEvent> EventLog::since(std::optional<uint64_t> seq) const {
  std::vector<LogEvent> out;
  for (const LogEvent& event : events_) {
    if (!seq || event.seq > *seq) out.push_back(event);
  }
  return out;
}

nlohmann::json events_json(const std::vector<LogEvent>& events) {
  nlohmann::json list = nlohmann::json::array();
  for (const LogEvent& event : events) {
    list.push_back(
        {{"seq", event.seq}, {"time", event.time}, {"level", event.level}, {"message", event.message}});
  }
  return {{"events", std::move(list)}};
}

std::string iso8601_utc(int64_t unix_ms) {
  using namespace std::chrono;
  const sys_time<milliseconds> time{milliseconds(unix_ms)};
  const sys_days day = floor<days>(time);
  const year_month_day date{day};
  const hh_mm_ss clock{time - day};
  return fmt::format("{:04}-{:02}-{:02}T{:02}:{:02}:{:02}.{:03}Z", int(date.year()), unsigned(date.month()),
                     unsigned(date.day()), clock.hours().count(), clock.minutes().count(),
                     clock.seconds().count(), clock.subseconds().count());
}

}  // namespace nettoll
