// SPDX-License-Identifier: Apache-2.0
// Priority between processes through the daemon, on both classifier paths:
// while a bulk process saturates the upload, a UDP probe in a priority-0
// rule keeps a low round-trip time, and the same probe in the bulk's own
// class shows the queue the priority spares it.
#include <cstdio>

#include "process_rules_fixture.h"
#include "rtt_probe.h"

namespace nettoll::testing {
namespace {

class ProcessPriorityTest : public ProcessRulesFixture {
 protected:
  // Median RTT in ms of 60 probes 25 ms apart from `program` (a copy of the
  // probe) to the probe server in B.
  double median_rtt_ms(const std::string& program) {
    return testing::median_rtt_ms(start_in_a(rtt_probe_command(program, "10.77.0.2", 60, 25)), program);
  }
};

TEST_P(ProcessPriorityTest, PriorityProcessKeepsLowLatencyUnderBulkLoad) {
  install_copy(UDP_RTT_PROBE, "ntcall");
  install_copy(UDP_RTT_PROBE, "ntbulk-probe");
  ChildProcess server(rtt_probe_server(testbed_->namespace_b()));
  ASSERT_TRUE(server.wait_for_output("listening", 5s)) << server.output();
  start_daemon(kPriorityRules);
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
