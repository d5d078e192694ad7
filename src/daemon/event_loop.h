// SPDX-License-Identifier: Apache-2.0
// EventLoop: the daemon's one loop (sd-event), with signals, file
// descriptors and one-shot timers as callbacks. No threads, no polling.
#pragma once

#include <chrono>
#include <functional>
#include <map>
#include <memory>
#include <string>
#include <vector>

#include "core/result.h"

struct sd_event;
struct sd_event_source;

namespace nettoll {

class EventLoop {
 public:
  using Callback = std::function<void()>;

  // Creates the loop; with `watchdog` it pings systemd's watchdog when the
  // service has WatchdogSec= set.
  static Result<std::unique_ptr<EventLoop>> create(bool watchdog);
  ~EventLoop();
  EventLoop(const EventLoop&) = delete;
  EventLoop& operator=(const EventLoop&) = delete;

  // Calls `callback` when `signal_number` arrives (blocks it for the process).
  Result<void> on_signal(int signal_number, Callback callback);
  // Calls `callback` whenever `fd` is readable.
  Result<void> on_readable(int fd, Callback callback);
  // Stops watching `fd` (before it is closed: a later descriptor with the
  // same number must not be taken off the loop with it). Nothing when `fd`
  // is not watched. Not from inside that descriptor's own callback.
  void stop_watching(int fd);
  // Calls `callback` once after `delay`; a later call for the same `name`
  // replaces a pending one (used to debounce bursts of network events). Safe
  // from inside that timer's own callback: a timer's source lives as long as
  // the loop, and its callback is moved out of it before it runs, so
  // rescheduling never destroys the function that is running.
  Result<void> after(const std::string& name, std::chrono::milliseconds delay, Callback callback);
  // Cancels the pending timers whose name begins with `prefix` (an object
  // that goes away takes its timers with it). Safe from a timer's callback.
  void cancel_timers(const std::string& prefix);

  // Runs until exit() is called; returns its code.
  int run();
  void exit(int code);

 private:
  explicit EventLoop(sd_event* event);
  struct Source;
  sd_event* event_ = nullptr;
  std::vector<std::unique_ptr<Source>> sources_;           // signals and descriptors
  std::map<std::string, std::unique_ptr<Source>> timers_;  // by name
};

}  // namespace nettoll
