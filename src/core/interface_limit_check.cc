#include "core/interface_limit_check.h"

#include "core/tbf_params.h"

namespace nettoll {

std::vector<Diagnostic> interface_limit_warnings(const Config& config, const KernelCapabilities& kernel,
                                                 const ListedDevices& devices) {
  std::vector<Diagnostic> diagnostics;
  for (const InterfaceLimit& limit : config.interfaces) {
    ListedDevice device;
    if (auto it = devices.find(limit.name); it != devices.end()) device = it->second;
    TbfInput input;
    input.rate = limit.rate;
    input.latency = limit.latency;
    input.mtu = limit.mtu.value_or(device.mtu);
    input.link_header_bytes = device.link_header_bytes;
    input.hz = kernel.hz;
    input.burst = limit.burst_bytes;
    const TbfPlan tbf = plan_tbf(limit.name, input);
    const SourceMark mark = limit.burst_bytes ? limit.burst_mark : limit.mark;
    for (const std::string& warning : tbf_warnings(tbf)) {
      diagnostics.push_back(Diagnostic{Diagnostic::Severity::warning, config.path, mark,
                                       "interface '" + limit.name + "': " + warning});
    }
  }
  return diagnostics;
}

}  // namespace nettoll
