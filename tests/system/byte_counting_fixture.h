// SPDX-License-Identifier: Apache-2.0
// ByteCountingFixture: the process rules fixture with jumbo frames on both
// ends and a rule for `ntbulk`, for tests that compare nettoll's byte counts
// with iperf3's (accounting, usage history).
#pragma once

#include <string>

#include "process_rules_fixture.h"

namespace nettoll::testing {

// Jumbo frames keep the per-packet headers (which the kernel counts and
// iperf3 does not) under 1 % of the bytes, so a bound of a few % measures
// the counting, not the overhead.
inline constexpr int kJumboMtu = 9000;

inline constexpr const char* kBulkRules =
    "download: 1gbit\nupload: 1gbit\nprocesses:\n  bulk:\n    match: [{name: ntbulk}]\n"
    "    upload: 500mbit\n    download: 500mbit\n";

class ByteCountingFixture : public ProcessRulesFixture {
 protected:
  void SetUp() override {
    ProcessRulesFixture::SetUp();
    if (IsSkipped() || HasFatalFailure()) return;
    testbed_->run_in_a("ip link set vA mtu " + std::to_string(kJumboMtu));
    testbed_->run_in_b("ip link set vB mtu " + std::to_string(kJumboMtu));
  }
};

}  // namespace nettoll::testing
