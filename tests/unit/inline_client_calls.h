// SPDX-License-Identifier: Apache-2.0
// InlineClientCalls: ClientLimiter's client calls run at once on the test's
// thread, so a test sees their outcome when set_targets returns.
#pragma once

#include "clients/client_calls.h"

namespace nettoll {

class InlineClientCalls : public ClientCalls {
 public:
  void run(size_t, std::function<void()> work, std::function<void()> done) override {
    work();
    done();
  }
  bool finish(std::chrono::steady_clock::time_point) override { return true; }
};

}  // namespace nettoll
