// SPDX-License-Identifier: Apache-2.0
// Carrying out the reconciler's KernelChanges through netlink.
#pragma once

#include <map>
#include <string>

#include "core/kernel_change.h"
#include "core/result.h"
#include "kernel/netlink_socket.h"

namespace nettoll {

class ChangeApplier {
 public:
  explicit ChangeApplier(NetlinkSocket& socket) : socket_(socket) {}

  // Applies one change. Fails with the kernel's refusal, naming the object
  // ("cannot add htb class 7a:10 on eth0: Invalid argument").
  Result<void> apply(const KernelChange& change);

 private:
  Result<int> ifindex_of(const std::string& device);

  template <typename T>
  Result<void> apply_one(const T& change);

  NetlinkSocket& socket_;
  std::map<std::string, int> ifindexes_;  // looked up once per device
};

}  // namespace nettoll
