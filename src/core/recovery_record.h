// SPDX-License-Identifier: Apache-2.0
// RecoveryRecord: what nettoll must know to put a device back exactly as it
// found it, written to the runtime directory before it first changes the
// device, so a restart after a crash can still restore it.
#pragma once

#include <cstdint>
#include <map>
#include <string>

#include "core/result.h"

namespace nettoll {

struct OriginalDevice {
  int ifindex = 0;         // identity: a device re-created under the name is another device
  std::string root_qdisc;  // the kernel's default root qdisc kind ("noqueue", "pfifo_fast", ...)
  bool had_clsact = false;
  uint32_t gso_max_size = 0;
  uint32_t gro_max_size = 0;  // 0: the kernel does not report it (before 5.19)
  bool operator==(const OriginalDevice&) const = default;
};

struct RecoveryRecord {
  std::map<std::string, OriginalDevice> devices;  // by name
  bool operator==(const RecoveryRecord&) const = default;
};

// The record as JSON text, and back. Parsing fails, naming `where`, on text
// that is not such a record.
std::string format_recovery_record(const RecoveryRecord& record);
Result<RecoveryRecord> parse_recovery_record(const std::string& text, const std::string& where);

}  // namespace nettoll
