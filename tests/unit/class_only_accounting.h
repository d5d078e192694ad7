// SPDX-License-Identifier: Apache-2.0
// An Accounting without an eBPF path whose class dumps find `kernel`: what
// the unit tests of the class counters and of /v1/stats sample from.
#pragma once

#include <gtest/gtest.h>

#include <map>
#include <memory>
#include <string>

#include "daemon/accounting.h"

namespace nettoll {

struct ClassOnlyAccounting {
  ClassOnlyAccounting() {
    auto made = EventLoop::create(false);
    EXPECT_TRUE(made) << made.error();
    if (!made) return;
    loop = std::move(*made);
    accounting = std::make_unique<Accounting>(
        *loop, Accounting::Sources{[] { return -1; }, [] { return std::map<uint32_t, std::string>{}; },
                                   [this] {
                                     ++dumps;
                                     return kernel;
                                   }});
  }

  std::map<std::string, TcStats> kernel;  // "device handle" → what the next dump finds
  int dumps = 0;
  std::unique_ptr<EventLoop> loop;
  std::unique_ptr<Accounting> accounting;  // null when the loop could not be made
};

}  // namespace nettoll
