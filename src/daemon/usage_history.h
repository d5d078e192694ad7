// SPDX-License-Identifier: Apache-2.0
// UsageHistory: the daemon's side of the usage database. A UsageRecorder
// fed by the accounting's deltas, flushed on the loop at an interval (60 s
// in service) and once on stop. A database that cannot be opened or
// written is logged; the daemon shapes on without history.
#pragma once

#include <chrono>
#include <memory>
#include <optional>
#include <string>

#include "daemon/accounting.h"
#include "daemon/event_loop.h"
#include "usage/usage_recorder.h"

namespace nettoll {

class UsageHistory {
 public:
  // Opens the database at `path` and registers with `accounting`; nullptr
  // (after an error line naming the path) when the database cannot be opened.
  // `clock` stamps the rows (default: the system's).
  static std::unique_ptr<UsageHistory> open(const std::string& path, EventLoop& loop, Accounting& accounting,
                                            std::chrono::seconds flush_interval,
                                            UsageRecorder::Clock clock = {});

  // Writes what was recorded since the last flush (on stop).
  void flush();
  void set_retention_days(int days) { recorder_.set_retention_days(days); }
  const UsageRecorder& recorder() const { return recorder_; }

 private:
  UsageHistory(UsageRecorder recorder, EventLoop& loop, std::chrono::seconds flush_interval);
  void schedule();

  UsageRecorder recorder_;
  EventLoop& loop_;
  std::chrono::seconds flush_interval_;
  bool write_failing_ = false;  // logs a failing database once, and its recovery
};

}  // namespace nettoll
