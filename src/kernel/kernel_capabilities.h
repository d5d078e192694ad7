// SPDX-License-Identifier: Apache-2.0
// Probing what the running kernel offers the planner, read-only: its build
// config (/proc/config.gz or /boot/config-RELEASE) and loaded modules.
#pragma once

#include <string>

#include "core/planner.h"

namespace nettoll {

// The running kernel's capabilities. HZ falls back to kGuessedHz (1000) and fq_codel to
// "absent" when the kernel's config cannot be read; `source` says which.
struct ProbedCapabilities {
  KernelCapabilities capabilities;
  std::string source;  // "/proc/config.gz", "/boot/config-6.1.0", or "defaults (...)"
};

ProbedCapabilities probe_kernel_capabilities();

}  // namespace nettoll
