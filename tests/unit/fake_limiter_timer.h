// SPDX-License-Identifier: Apache-2.0
// FakeLimiterTimer: ClientLimiter's timers in memory; tests fire them.
#pragma once

#include <chrono>
#include <functional>
#include <map>
#include <string>

#include "clients/client_limiter.h"

namespace nettoll {

// Pending one-shot timers by name, fired by the test.
class FakeLimiterTimer : public LimiterTimer {
 public:
  struct Pending {
    std::chrono::milliseconds delay;
    std::function<void()> callback;
  };
  void after(const std::string& name, std::chrono::milliseconds delay,
             std::function<void()> callback) override {
    pending[name] = Pending{delay, std::move(callback)};
  }
  // Runs the timer `name` if pending; false otherwise.
  bool fire(const std::string& name) {
    const auto it = pending.find(name);
    if (it == pending.end()) return false;
    auto callback = std::move(it->second.callback);
    pending.erase(it);
    callback();
    return true;
  }
  std::map<std::string, Pending> pending;
};

}  // namespace nettoll
