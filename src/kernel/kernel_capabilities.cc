// SPDX-License-Identifier: Apache-2.0
#include "kernel/kernel_capabilities.h"

#include <sys/utsname.h>

#include <filesystem>

#include "kernel/kernel_config.h"

namespace nettoll {
namespace {

std::string kernel_release() {
  utsname name{};
  return uname(&name) == 0 ? name.release : "";
}

// A qdisc built as a module is usable when it is loaded or can be loaded.
bool module_available(const std::string& module) {
  if (std::filesystem::exists("/sys/module/" + module)) return true;
  const std::string base = "/lib/modules/" + kernel_release() + "/kernel/net/sched/" + module + ".ko";
  for (const char* suffix : {"", ".xz", ".zst", ".gz"}) {
    if (std::filesystem::exists(base + suffix)) return true;
  }
  return false;
}

ProbedCapabilities probe() {
  ProbedCapabilities probed;
  const auto config = read_kernel_config();
  if (!config) {
    probed.source = "defaults (no kernel config found: HZ " + std::to_string(kGuessedHz) + " assumed)";
    probed.capabilities.hz = kGuessedHz;
    probed.capabilities.hz_assumed = true;
    probed.capabilities.has_fq_codel = module_available("sch_fq_codel");
    return probed;
  }
  probed.source = config->source;
  const auto hz = parse_config_hz(config->text);
  probed.capabilities.hz = hz.value_or(kGuessedHz);
  probed.capabilities.hz_assumed = !hz;
  const std::string fq_codel = kernel_config_value(config->text, "NET_SCH_FQ_CODEL");
  probed.capabilities.has_fq_codel = fq_codel == "y" || (fq_codel == "m" && module_available("sch_fq_codel"));
  return probed;
}

}  // namespace

// The kernel's build config does not change while it runs: read (and gunzip)
// it once, not on every network event and reload.
ProbedCapabilities probe_kernel_capabilities() {
  static const ProbedCapabilities probed = probe();
  return probed;
}

}  // namespace nettoll
