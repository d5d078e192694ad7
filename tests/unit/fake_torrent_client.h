// SPDX-License-Identifier: Apache-2.0
// FakeTorrentClient: a torrent client in memory, for ClientLimiter's tests.
// It can be down, and rounds like rTorrent (whole KiB) when asked to.
#pragma once

#include <functional>
#include <map>
#include <memory>
#include <string>

#include "clients/torrent_client.h"
#include "fake_limiter_timer.h"

namespace nettoll {

struct FakeClientState {
  ClientLimits limits;
  bool down = false;
  int sets = 0;
};

class FakeTorrentClient : public TorrentClient {
 public:
  FakeTorrentClient(std::string name, FakeClientState& state) : name_(std::move(name)), state_(state) {}
  std::string name() const override { return name_; }
  Result<ClientLimits> read_limits() override {
    if (state_.down) return Error{"connection refused"};
    return state_.limits;
  }
  Result<void> set_limits(const ClientLimits& limits) override {
    if (state_.down) return Error{"connection refused"};
    ++state_.sets;
    state_.limits = stored_form(limits);
    return success();
  }
  ClientLimits stored_form(const ClientLimits& limits) const override {
    ClientLimits stored = limits;
    for (SpeedLimit* limit : {&stored.upload, &stored.download}) {
      limit->rate = Rate::bytes_per_second(limit->rate.bytes_per_second() / 1024 * 1024);
    }
    return stored;
  }

 private:
  std::string name_;
  FakeClientState& state_;
};

}  // namespace nettoll
