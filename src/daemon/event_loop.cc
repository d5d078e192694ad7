// SPDX-License-Identifier: Apache-2.0
#include "daemon/event_loop.h"

#include <signal.h>
#include <systemd/sd-event.h>

#include <cstring>

namespace nettoll {

struct EventLoop::Source {
  std::string name;
  int fd = -1;  // a descriptor's source
  Callback callback;
  sd_event_source* source = nullptr;
  ~Source() { sd_event_source_unref(source); }
};

namespace {

int dispatch_signal(sd_event_source*, const signalfd_siginfo*, void* data) {
  static_cast<std::function<void()>*>(data)->operator()();
  return 0;
}

int dispatch_io(sd_event_source*, int, uint32_t, void* data) {
  static_cast<std::function<void()>*>(data)->operator()();
  return 0;
}

// A timer's callback runs from a local: whatever it does to its own timer
// (rescheduling it with a new callback) cannot free the running function.
int dispatch_time(sd_event_source*, uint64_t, void* data) {
  std::function<void()> callback = std::move(*static_cast<std::function<void()>*>(data));
  if (callback) callback();
  return 0;
}

Error failure(const std::string& what, int error) {
  return Error{"cannot " + what + ": " + std::strerror(-error)};
}

}  // namespace

Result<std::unique_ptr<EventLoop>> EventLoop::create(bool watchdog) {
  sd_event* event = nullptr;
  if (int r = sd_event_new(&event); r < 0) return failure("create the event loop", r);
  std::unique_ptr<EventLoop> loop(new EventLoop(event));
  if (watchdog) sd_event_set_watchdog(event, 1);
  return loop;
}

EventLoop::EventLoop(sd_event* event) : event_(event) {}

EventLoop::~EventLoop() {
  timers_.clear();
  sources_.clear();
  sd_event_unref(event_);
}

Result<void> EventLoop::on_signal(int signal_number, Callback callback) {
  sigset_t mask;
  sigemptyset(&mask);
  sigaddset(&mask, signal_number);
  sigprocmask(SIG_BLOCK, &mask, nullptr);
  auto source = std::make_unique<Source>();
  source->callback = std::move(callback);
  if (int r = sd_event_add_signal(event_, &source->source, signal_number, dispatch_signal, &source->callback);
      r < 0) {
    return failure(std::string("watch signal ") + strsignal(signal_number), r);
  }
  sources_.push_back(std::move(source));
  return success();
}

Result<void> EventLoop::on_readable(int fd, Callback callback) {
  auto source = std::make_unique<Source>();
  source->callback = std::move(callback);
  if (int r = sd_event_add_io(event_, &source->source, fd, EPOLLIN, dispatch_io, &source->callback); r < 0) {
    return failure("watch file descriptor " + std::to_string(fd), r);
  }
  source->fd = fd;
  sources_.push_back(std::move(source));
  return success();
}

void EventLoop::stop_watching(int fd) {
  std::erase_if(sources_, [fd](const std::unique_ptr<Source>& source) { return source->fd == fd; });
}

Result<void> EventLoop::after(const std::string& name, std::chrono::milliseconds delay, Callback callback) {
  uint64_t now = 0;
  sd_event_now(event_, CLOCK_MONOTONIC, &now);
  const uint64_t when = now + static_cast<uint64_t>(delay.count()) * 1000;
  std::unique_ptr<Source>& timer = timers_[name];
  if (!timer) {
    auto source = std::make_unique<Source>();
    source->name = name;
    // Accuracy 0 would mean sd-event's default, 250 ms of allowed lateness
    // (to coalesce wakeups): far too late for a 100 ms debounce or a 25 ms poll.
    constexpr uint64_t kAccuracyUsec = 1000;
    if (int r = sd_event_add_time(event_, &source->source, CLOCK_MONOTONIC, when, kAccuracyUsec,
                                  dispatch_time, &source->callback);
        r < 0) {
      timers_.erase(name);
      return failure("start timer " + name, r);
    }
    timer = std::move(source);
  } else if (int r = sd_event_source_set_time(timer->source, when); r < 0) {
    return failure("restart timer " + name, r);
  }
  timer->callback = std::move(callback);
  if (int r = sd_event_source_set_enabled(timer->source, SD_EVENT_ONESHOT); r < 0) {
    return failure("enable timer " + name, r);
  }
  return success();
}

void EventLoop::cancel_timers(const std::string& prefix) {
  for (auto& [name, timer] : timers_) {
    if (name.compare(0, prefix.size(), prefix) != 0) continue;
    // The source stays (see after()): only its callback and schedule go.
    sd_event_source_set_enabled(timer->source, SD_EVENT_OFF);
    timer->callback = nullptr;
  }
}

int EventLoop::run() { return sd_event_loop(event_); }

void EventLoop::exit(int code) { sd_event_exit(event_, code); }

}  // namespace nettoll
