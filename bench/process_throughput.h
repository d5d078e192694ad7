// SPDX-License-Identifier: Apache-2.0
// Scenario (c) of the process benchmark: what classification costs a fast
// flow that no limit holds back.
#pragma once

#include <optional>
#include <string>
#include <vector>

#include "process_sandbox.h"

namespace nettoll::bench {

// Single-stream TCP throughput A→B over the veth (iperf3 copy `ntfast`,
// 5 s, median of 3 interleaved runs) without nettoll, and per classifier
// path with HTB only, with one rule matching ntfast, and with 1,000 rules
// (999 matching nothing); each against the first. False when a run failed.
bool report_unshaped_throughput(const ProcessSandbox& sandbox, const std::vector<std::string>& paths);

// Runs `ntfast` (an iperf3 copy in the bin directory) against the iperf3
// server on 10.77.0.2:5201 for `seconds`: the receiver's goodput in Gbit/s,
// nullopt (said on stderr) when the run failed.
std::optional<double> ntfast_gbit(const ProcessSandbox& sandbox, int seconds);

// The benchmark's config: global limits far above what the veth carries
// (so HTB holds nothing back) and `rules` process rules without limits, the
// last one ("fast") matching ntfast, the others (ntnone0...) nothing.
std::string unshaped_config(int rules);

}  // namespace nettoll::bench
