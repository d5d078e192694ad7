// SPDX-License-Identifier: Apache-2.0
// Runs a test in a given local time zone (POSIX TZ rules, so no tzdata is
// needed) and restores the process's own zone afterwards.
#pragma once

#include <cstdint>
#include <cstdlib>
#include <ctime>
#include <optional>
#include <string>

namespace nettoll::testing {

class ScopedTimeZone {
 public:
  explicit ScopedTimeZone(const char* zone) {
    if (const char* old = std::getenv("TZ")) previous_ = old;
    setenv("TZ", zone, 1);
    tzset();
  }
  ~ScopedTimeZone() {
    if (previous_) {
      setenv("TZ", previous_->c_str(), 1);
    } else {
      unsetenv("TZ");
    }
    tzset();
  }
  ScopedTimeZone(const ScopedTimeZone&) = delete;
  ScopedTimeZone& operator=(const ScopedTimeZone&) = delete;

 private:
  std::optional<std::string> previous_;
};

// Central Europe: DST from the last Sunday of March 02:00 to the last Sunday of October 03:00.
inline constexpr const char* kBerlin = "CET-1CEST,M3.5.0,M10.5.0/3";

// Unix time of a local wall-clock time in the current zone.
inline int64_t local_time(int year, int month, int day, int hour = 0, int minute = 0) {
  std::tm date{};
  date.tm_year = year - 1900;
  date.tm_mon = month - 1;
  date.tm_mday = day;
  date.tm_hour = hour;
  date.tm_min = minute;
  date.tm_isdst = -1;
  return static_cast<int64_t>(std::mktime(&date));
}

}  // namespace nettoll::testing
