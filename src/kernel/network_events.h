// SPDX-License-Identifier: Apache-2.0
// NetworkEvents: notifications of link, address, route and rule changes in
// the current network namespace, for the daemon's event loop.
#pragma once

#include "core/result.h"

struct mnl_socket;

namespace nettoll {

class NetworkEvents {
 public:
  // Subscribes to links, IPv4/IPv6 addresses, routes and rules of the calling
  // thread's network namespace.
  static Result<NetworkEvents> open();
  NetworkEvents(NetworkEvents&& other) noexcept;
  NetworkEvents& operator=(NetworkEvents&&) = delete;
  ~NetworkEvents();

  int fd() const;

  // Reads every pending notification without blocking; true when any arrived
  // (or some were lost to an overflow, which means the same: look again).
  Result<bool> drain();

 private:
  explicit NetworkEvents(mnl_socket* socket) : socket_(socket) {}
  mnl_socket* socket_ = nullptr;
};

}  // namespace nettoll
