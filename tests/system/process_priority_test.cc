// SPDX-License-Identifier: Apache-2.0
// Priority between processes through the daemon, on both classifier paths:
// while a bulk process saturates the upload, a UDP probe in a priority-0
// rule keeps a low round-trip time, and the same probe in the bulk's own
// class shows the queue the priority spares it.
#include <cstdio>
#include <sstream>

#include "process_rules_fixture.h"

namespace nettoll::testing {
namespace {

class ProcessPriorityTest : public ProcessRulesFixture {
 protected:
  // Median RTT in ms of 60 probes 25 ms apart from `program` (a copy of the
  // probe) to the probe server in B.
  double median_rtt_ms(const std::string& program) {
    ChildProcess& probe =
        start_in_a("./" + program + " client 10.77.0.2 " + std::to_string(kProbePort) + " 60 25");
    EXPECT_TRUE(probe.wait_for_exit(15s));
    std::istringstream figures(probe.output());
    double median = -1, p90 = -1;
    int lost = -1;
    figures >> median >> p90 >> lost;
    EXPECT_GE(median, 0) << program << ": " << probe.output();
    return median;
  }
};

TEST_P(ProcessPriorityTest, PriorityProcessKeepsLowLatencyUnderBulkLoad) {
  install_copy(UDP_RTT_PROBE, "ntcall");
  install_copy(UDP_RTT_PROBE, "ntbulk-probe");
  ChildProcess server(
      {"ip", "netns", "exec", testbed_->namespace_b(), UDP_RTT_PROBE, "server", std::to_string(kProbePort)});
  ASSERT_TRUE(server.wait_for_output("listening", 5s)) << server.output();
  // The probe copy named ntbulk-probe matches the bulk rule ("ntbulk" is a
  // prefix: TrafficToll's re.match semantics).
  start_daemon(
      "upload: 20mbit\nprocesses:\n"
      "  call:\n    match: [{name: ntcall}]\n    upload-priority: 0\n"
      "  bulk:\n    match: [{name: ntbulk}]\n    upload-priority: 7\n");
  start_client("ntbulk", 5201, "-P 4", 8);
  std::this_thread::sleep_for(1500ms);
  const double priority = median_rtt_ms("ntcall");
  const double queued = median_rtt_ms("ntbulk-probe");
  const auto rates = class_rates("vA", 1000ms);
  stop_clients();
  std::printf("median RTT: priority %.2f ms, in the bulk class %.2f ms; bulk %.1f Mbit/s\n", priority, queued,
              rates.at("7a:11"));
  EXPECT_GT(rates.at("7a:11"), 15.0) << "the bulk process fills the link";
  // Serialization of a few frames at 20 Mbit/s is ~0.6 ms each; the bulk
  // class's fifo holds ~20 ms of it.
  EXPECT_LT(priority, 3.0) << "priority process behind the bulk queue";
  EXPECT_GT(queued, 2 * priority + 2.0) << "the load did not queue (priority " << priority << " ms)";
}

INSTANTIATE_TEST_SUITE_P(Paths, ProcessPriorityTest, ::testing::Values("bpf", "u32"), classifier_path_name);

}  // namespace
}  // namespace nettoll::testing
