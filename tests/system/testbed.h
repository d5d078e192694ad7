// SPDX-License-Identifier: Apache-2.0
// Testbed: two fresh network namespaces joined by a veth pair, for system
// tests that need a real kernel but must never touch the machine's own
// interfaces. Tests look at the kernel from outside with `ip`/`tc` (the
// product never shells out; tests may, as an independent check).
#pragma once

#include <chrono>
#include <functional>
#include <string>

namespace nettoll::testing {

// True when the tests can create namespaces and configure tc (root).
bool running_as_root();

struct CommandOutput {
  int exit_status = -1;
  std::string output;  // stdout and stderr together
};

// Runs `command` with sh -c, in the current namespace, capturing its output.
CommandOutput run_command(const std::string& command);

// True once `condition` holds, checking every 20 ms; false after `timeout`.
bool eventually(const std::function<bool()>& condition, std::chrono::milliseconds timeout);

// What B, "the internet", sends over the veth: MTU-sized frames as a real
// uplink delivers (TSO/GSO off on vB; the receiving side's GRO, which
// nettoll caps while shaping, merges them), or 64 KiB super-packets, which
// no WAN delivers (kept for robustness tests).
enum class UplinkFrames { mtu_sized, super_packets };

// Two namespaces `ntt-<pid>-<n>a` and `...b`; `vA` in A (10.77.0.1/24,
// fd77::1/64) and `vB` in B (10.77.0.2/24, fd77::2/64), both up, lo up,
// and B reachable from A over IPv4 and IPv6 when the constructor returns.
// Deleting the namespaces in the destructor removes everything in them.
class Testbed {
 public:
  explicit Testbed(UplinkFrames frames = UplinkFrames::mtu_sized);
  ~Testbed();
  Testbed(const Testbed&) = delete;
  Testbed& operator=(const Testbed&) = delete;

  // Empty when the testbed is ready, else what failed.
  const std::string& setup_error() const { return setup_error_; }

  const std::string& namespace_a() const { return namespace_a_; }
  const std::string& namespace_b() const { return namespace_b_; }

  // Runs `command` with sh -c inside namespace `name`.
  CommandOutput run_in(const std::string& name, const std::string& command) const;
  CommandOutput run_in_a(const std::string& command) const { return run_in(namespace_a_, command); }
  CommandOutput run_in_b(const std::string& command) const { return run_in(namespace_b_, command); }

  // Waits up to `timeout` until a TCP socket listens on `port` in namespace
  // `name` (an iperf3 server is ready).
  bool wait_for_listener(const std::string& name, int port, std::chrono::milliseconds timeout) const;

 private:
  bool run_setup_step(const std::string& command);
  bool wait_until_reachable();

  std::string namespace_a_;
  std::string namespace_b_;
  std::string setup_error_;
};

// Moves the calling thread into namespace `name` (with the product's
// enter_network_namespace) and back to the thread's original namespace when
// destroyed. Netlink sockets opened meanwhile stay in `name` for good.
class ScopedNetworkNamespace {
 public:
  explicit ScopedNetworkNamespace(const std::string& name);
  ~ScopedNetworkNamespace();
  ScopedNetworkNamespace(const ScopedNetworkNamespace&) = delete;
  ScopedNetworkNamespace& operator=(const ScopedNetworkNamespace&) = delete;

  // Empty when the thread is inside `name`, else why not.
  const std::string& error() const { return error_; }

 private:
  int original_ = -1;
  std::string error_;
};

}  // namespace nettoll::testing
