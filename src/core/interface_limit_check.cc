// SPDX-License-Identifier: Apache-2.0
#include "core/interface_limit_check.h"

#include <set>

#include "core/tbf_params.h"

namespace nettoll {

std::vector<Diagnostic> interface_limit_warnings(const Config& config, const KernelCapabilities& kernel,
                                                 const ListedDevices& devices) {
  std::vector<Diagnostic> diagnostics;
  // Planned as listed interfaces (no managed one): every limit gets its tbf.
  const Plan plan = make_plan(config, ManagedInterface{"", 0}, kernel, devices);
  std::set<std::string> warned;  // `both` plans the same bucket twice
  for (const TbfPlan& tbf : plan.tbfs) {
    if (!warned.insert(tbf.device).second) continue;
    for (const InterfaceLimit& limit : config.interfaces) {
      if (limit.name != tbf.device) continue;
      const SourceMark mark = limit.burst_bytes ? limit.burst_mark : limit.mark;
      for (const std::string& warning : tbf_warnings(tbf)) {
        diagnostics.push_back(Diagnostic{Diagnostic::Severity::warning, config.path, mark,
                                         "interface '" + limit.name + "': " + warning});
      }
    }
  }
  return diagnostics;
}

}  // namespace nettoll
