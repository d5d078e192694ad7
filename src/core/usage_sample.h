// SPDX-License-Identifier: Apache-2.0
#pragma once
// One counter sample of the per-process accounting (issue 14): the bytes
// and packets a process (or the folded total of exited processes with the
// same name) moved in one direction since the previous sample. Pure value
// type shared by the accounting source (daemon/accounting), the usage
// history and the quotas.

#include <cstdint>
#include <string>
#include <vector>

namespace nettoll {

enum class UsageDirection { download, upload };

struct UsageSample {
  std::string name;  // process name (comm); "other" for skbs without a local socket
  std::string rule;  // rule the socket was classified into; "" when none
  UsageDirection direction = UsageDirection::download;
  std::uint64_t bytes = 0;    // delta since the previous sample
  std::uint64_t packets = 0;  // delta since the previous sample
  bool operator==(const UsageSample&) const = default;
};

// The deltas of one sampling period (about one second), one entry per
// (name, rule, direction) with non-zero bytes; exited processes' last
// deltas are included (folded under their name and rule).
using UsageDeltas = std::vector<UsageSample>;

// Anything that wants the per-second deltas (usage store, quotas)
// implements this and registers with the accounting source.
class UsageSink {
 public:
  virtual ~UsageSink() = default;
  virtual void on_usage(const UsageDeltas& deltas) = 0;
};

}  // namespace nettoll
