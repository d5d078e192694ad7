// SPDX-License-Identifier: Apache-2.0
#include "daemon/usage_history.h"

#include <spdlog/spdlog.h>
#include <sys/stat.h>

#include <ctime>
#include <filesystem>

namespace nettoll {

std::unique_ptr<UsageHistory> UsageHistory::open(const std::string& path, EventLoop& loop,
                                                 Accounting& accounting, std::chrono::seconds flush_interval,
                                                 UsageRecorder::Clock clock) {
  // Outside systemd's StateDirectory= (a daemon started by hand) the
  // directory may not exist yet: created as the unit would, for root only.
  const std::filesystem::path directory = std::filesystem::path(path).parent_path();
  std::error_code ignored;
  if (!directory.empty() && std::filesystem::create_directories(directory, ignored))
    chmod(directory.c_str(), 0700);
  auto store = UsageStore::open_for_writing(path);
  if (!store) {
    spdlog::error("usage history off: {}", store.error());
    return nullptr;
  }
  std::unique_ptr<UsageHistory> history(new UsageHistory(
      UsageRecorder(std::move(*store), kDefaultUsageRetentionDays, std::move(clock)), loop, flush_interval));
  accounting.add_sink(history->recorder_);
  history->schedule();
  spdlog::info("usage history: {}", path);
  return history;
}

UsageHistory::UsageHistory(UsageRecorder recorder, EventLoop& loop, std::chrono::seconds flush_interval)
    : recorder_(std::move(recorder)), loop_(loop), flush_interval_(flush_interval) {}

void UsageHistory::schedule() {
  auto scheduled = loop_.after("usage-flush", flush_interval_, [this] {
    flush();
    schedule();
  });
  if (!scheduled) spdlog::error("usage history: no periodic flush: {}", scheduled.error());
}

void UsageHistory::flush() {
  auto flushed = recorder_.flush(static_cast<int64_t>(std::time(nullptr)));
  if (!flushed && !write_failing_) {
    spdlog::error("usage history: {} (kept in memory, retried at the next flush)", flushed.error());
  } else if (flushed && write_failing_) {
    spdlog::info("usage history: written again");
  }
  write_failing_ = !flushed;
}

}  // namespace nettoll
