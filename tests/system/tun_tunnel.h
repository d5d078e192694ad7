// SPDX-License-Identifier: Apache-2.0
// TunTunnel: an L3 tunnel for tests, carried the way a VPN's process carries
// one (WireGuard is not in our kernel): a tun device (IFF_TUN, no packet
// information header) in each of two namespaces, and a thread that copies
// every packet read from one descriptor into the other until the tunnel is
// destroyed, which also removes both devices.
#pragma once

#include <atomic>
#include <cstdint>
#include <string>
#include <thread>

namespace nettoll::testing {

class TunTunnel {
 public:
  // Creates `device_a` in namespace `namespace_a` and `device_b` in
  // `namespace_b` (both down, without addresses) and starts copying.
  TunTunnel(const std::string& namespace_a, const std::string& device_a, const std::string& namespace_b,
            const std::string& device_b);
  ~TunTunnel();
  TunTunnel(const TunTunnel&) = delete;
  TunTunnel& operator=(const TunTunnel&) = delete;

  // Empty when both devices exist and the copier runs, else what failed.
  const std::string& error() const { return error_; }

  // Packets the copier could not hand to the other device (its write failed).
  uint64_t failed_writes() const { return failed_writes_.load(); }

 private:
  int open_tun(const std::string& name_space, const std::string& device);
  void copy_packets();
  void copy_ready_packets(int from, int to);

  int fd_a_ = -1;
  int fd_b_ = -1;
  int stop_ = -1;  // an eventfd: the copier returns once it is readable
  std::atomic<uint64_t> failed_writes_{0};
  std::string error_;
  std::thread copier_;
};

}  // namespace nettoll::testing
