// SPDX-License-Identifier: Apache-2.0
// IperfTraffic: one iperf3 test from namespace A (client) to B (server),
// running in the background while a benchmark reads kernel counters, with
// iperf3's own JSON report at the end.
#pragma once

#include <chrono>
#include <memory>
#include <nlohmann/json.hpp>
#include <optional>
#include <string>

#include "child_process.h"
#include "testbed.h"

namespace nettoll::bench {

struct IperfOptions {
  bool download = false;  // -R: B sends to A (A's ingress, the IFB)
  bool udp = false;
  double udp_offered_mbit = 0;  // -b for UDP
  int streams = 1;              // -P
  int seconds = 5;              // -t
};

class IperfTraffic {
 public:
  // Starts the server in B, waits until it listens, then starts the client in A.
  IperfTraffic(const testing::Testbed& testbed, const IperfOptions& options);
  IperfTraffic(const IperfTraffic&) = delete;
  IperfTraffic& operator=(const IperfTraffic&) = delete;

  // When the client was started (the test's time zero).
  std::chrono::steady_clock::time_point started() const { return started_; }

  // Waits for the client to finish; its JSON report (-J), or nullopt when it
  // failed (then `error()` says why).
  std::optional<nlohmann::json> wait_for_report();
  const std::string& error() const { return error_; }

 private:
  IperfOptions options_;
  std::unique_ptr<testing::ChildProcess> server_;
  std::unique_ptr<testing::ChildProcess> client_;
  std::chrono::steady_clock::time_point started_;
  std::string error_;
};

// The receiving side's rate in Mbit/s from a client report (payload only);
// 0 when the report lacks it.
double receiver_goodput_mbit(const nlohmann::json& report);

// The sending side's rate in Mbit/s (what iperf3 managed to offer).
double sender_mbit(const nlohmann::json& report);

// The sending side's rate as frames on the wire, in Mbit/s: for UDP over IPv4
// each datagram of `blksize` payload bytes adds UDP, IP and Ethernet headers.
// For TCP, the same as sender_mbit.
double sender_wire_mbit(const nlohmann::json& report);

// UDP: the share of datagrams lost, in percent; 0 for TCP.
double udp_lost_percent(const nlohmann::json& report);

}  // namespace nettoll::bench
